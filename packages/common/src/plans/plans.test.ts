import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createPlans, isWithinLimit, mapPlanEnv, planEnvShape } from './index.js';

describe('plans', () => {
  it('uses the reference limits by default', () => {
    const plans = createPlans();
    expect(plans.limitsFor({ plan: 'free' }).maxProjects).toBe(1);
    expect(plans.limitsFor({ plan: 'free' }).maxCollections).toBe(5);
    expect(plans.limitsFor({ plan: 'pro' }).maxCollections).toBe(-1);
    expect(plans.limitsFor({ plan: 'nope' }).maxProjects).toBe(1);
  });

  it('gives admins no limits', () => {
    const limits = createPlans().limitsFor({ plan: 'free', isAdmin: true });
    expect(limits.maxProjects).toBe(-1);
    expect(limits.webhooksLimit).toBe(-1);
  });

  it('reads DEFAULT_PLAN and PLAN_LIMITS from the environment', () => {
    const cfg = loadConfig(
      planEnvShape,
      { DEFAULT_PLAN: 'team', PLAN_LIMITS: '{"team":{"maxProjects":3},"pro":{"maxProjects":50}}' },
      mapPlanEnv,
    );
    const plans = createPlans({ defaultPlan: cfg.defaultPlan, overrides: { ...cfg.overrides } });
    expect(plans.defaultPlan).toBe('team');
    expect(plans.limitsFor({ plan: 'team' }).maxProjects).toBe(3);
    expect(plans.limitsFor({ plan: 'team' }).maxCollections).toBe(5);
    expect(plans.limitsFor({ plan: 'pro' }).maxProjects).toBe(50);
  });

  it('refuses malformed PLAN_LIMITS', () => {
    expect(() => loadConfig(planEnvShape, { PLAN_LIMITS: '{"pro":{"maxProjects":"x"}}' }, mapPlanEnv)).toThrow(/PLAN_LIMITS/);
    expect(() => loadConfig(planEnvShape, { PLAN_LIMITS: 'nope' }, mapPlanEnv)).toThrow(/PLAN_LIMITS/);
  });

  it('applies project custom limits and -1 as unlimited', () => {
    expect(createPlans().limitsFor({ plan: 'free' }, { maxCollections: 9, reqPerDay: null }).maxCollections).toBe(9);
    expect(isWithinLimit(-1, 1e9)).toBe(true);
    expect(isWithinLimit(5, 5)).toBe(false);
    expect(isWithinLimit(5, 4)).toBe(true);
  });
});
