import { describe, expect, it } from 'vitest';
import { renderSubject, renderTemplate } from './render.js';
import { mailSendSchema, mailTemplateCreateSchema } from './schemas.js';

describe('mail template rendering', () => {
  const vars = {
    name: '<b>Ann</b>',
    user: { city: 'Köln & Bonn' },
    appUrl: 'https://app.example.com/x',
    badUrl: 'javascript:alert(1)',
    n: 5,
  };

  it.each([
    ['{{name}}', 'html', '&#60;b&#62;Ann&#60;/b&#62;'],
    ['{{{name}}}', 'html', '<b>Ann</b>'],
    ['{{name}}', 'text', '<b>Ann</b>'],
    ['{{ user.city }}', 'html', 'Köln &#38; Bonn'],
    ['{{missing}}|{{user.none.deep}}', 'html', '|'],
    ['{{appUrl}}', 'html', 'https://app.example.com/x'],
    ['{{badUrl}}', 'html', ''],
    ['{{n}} items', 'text', '5 items'],
    ['{{__proto__.toString}}', 'text', ''],
  ] as const)('renders %j in %s mode as %j', (template, mode, expected) => {
    expect(renderTemplate(template, vars, mode)).toBe(expected);
  });

  it('keeps subjects on one line', () => {
    expect(renderSubject('Hi {{x}}', { x: 'a\r\nBcc: evil@example.com' })).toBe('Hi a Bcc: evil@example.com');
  });
});

describe('mail send body', () => {
  it.each([
    [{ to: 'a@b.co', subject: 'S', text: 't' }, true],
    [{ to: ['a@b.co', 'C@D.co'], subject: 'S', html: '<p>h</p>' }, true],
    [{ to: 'a@b.co', templateName: 'welcome' }, true],
    [{ to: 'a@b.co', subject: '   ', text: 't' }, false],
    [{ to: 'not-an-email', subject: 'S', text: 't' }, false],
    [{ to: [], subject: 'S', text: 't' }, false],
    [{ to: 'a@b.co', templateId: '665f1c2a9b1e8a0012345678', templateName: 'x' }, false],
    [{ to: 'a@b.co', templateId: 'nothex' }, false],
    [{ to: 'a@b.co', subject: 'S', text: 't', $where: '1' }, false],
  ])('%j valid: %s', (body, ok) => {
    expect(mailSendSchema.safeParse(body).success).toBe(ok);
  });

  it('slugifies template keys from the key or the name', () => {
    expect(mailTemplateCreateSchema.parse({ name: 'Order Shipped!', subject: 's', text: 't' }).key).toBe('order-shipped');
    expect(mailTemplateCreateSchema.parse({ key: 'My Key', name: 'n', subject: 's', html: 'h' }).key).toBe('my-key');
    expect(mailTemplateCreateSchema.safeParse({ name: 'n', subject: 's' }).success).toBe(false);
  });
});
