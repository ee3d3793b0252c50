export {
  createUsageMeter,
  projectUsage,
  type ProjectUsage,
  type UsageMeter,
  type UsageMeterOptions,
  type UsageResource,
  type UsageSource,
} from './meter.js';
export { createUsageSources, mailUsageSource } from './sources.js';
export { createUsageReconciler } from './reconciler.js';
