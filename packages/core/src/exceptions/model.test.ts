import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { parseExceptionsFile } from './model.ts';

function errorOf(text: string, name = 'exceptions.yaml'): string {
  try {
    parseExceptionsFile({ name, text });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('parseExceptionsFile', () => {
  it('reads a YAML file with every field', () => {
    const parsed = parseExceptionsFile({
      name: 'exceptions.yaml',
      text: [
        'defaults: true',
        'disable: [nodes]',
        'exceptions:',
        '  - id: break-glass',
        '    checks: [cluster-admin, system-masters]',
        '    subject: {kind: IAMPrincipal, name: "arn:aws:iam::111122223333:role/breakglass"}',
        '    resource: {kind: ClusterRoleBinding, name: breakglass}',
        '    reason: Emergency access, reviewed quarterly',
        '    owner: platform@example.com',
        '    expires: 2026-12-31',
        '  - id: ci',
        '    checks: ["*"]',
        '    subject: {kind: ServiceAccount, namespace: ci, name: "runner-*"}',
        '    reason: CI runners deploy everything',
        '    expires: 2026-06-30T00:00:00+02:00',
      ].join('\n'),
    });
    expect(parsed.defaults).toBe(true);
    expect(parsed.disable).toEqual(['nodes']);
    expect(parsed.exceptions.map((e) => [e.id, e.expires])).toEqual([
      ['break-glass', '2026-12-31'],
      ['ci', '2026-06-30T00:00:00+02:00'],
    ]);
  });

  it('reads JSON and fills defaults for an empty file', () => {
    expect(parseExceptionsFile({ name: 'e.json', text: '{"defaults": false}' })).toEqual({
      defaults: false,
      disable: [],
      exceptions: [],
    });
    expect(parseExceptionsFile({ name: 'empty.yaml', text: '' })).toEqual({
      defaults: true,
      disable: [],
      exceptions: [],
    });
  });

  it.each([
    [
      'an unknown top-level field',
      'default: false',
      /not an exceptions file: \(document\): Unrecognized key: "default"/,
    ],
    [
      'an unknown exception field',
      'exceptions: [{id: a, checks: ["*"], reason: r, subjects: {name: x}}]',
      /exceptions\.0: Unrecognized key: "subjects"/,
    ],
    [
      'an unknown subject field',
      'exceptions: [{id: a, checks: ["*"], reason: r, subject: {name: x, group: y}}]',
      /exceptions\.0\.subject: Unrecognized key: "group"/,
    ],
    [
      'an unknown subject kind',
      'exceptions: [{id: a, checks: ["*"], reason: r, subject: {kind: Robot, name: x}}]',
      /exceptions\.0\.subject\.kind/,
    ],
    ['a missing reason', 'exceptions: [{id: a, checks: ["*"]}]', /exceptions\.0\.reason/],
    ['an empty check list', 'exceptions: [{id: a, checks: [], reason: r}]', /exceptions\.0\.checks/],
    [
      'an expiry that is not a date',
      'exceptions: [{id: a, checks: ["*"], reason: r, expires: next week}]',
      /exceptions\.0\.expires/,
    ],
    [
      'an impossible date',
      'exceptions: [{id: a, checks: ["*"], reason: r, expires: "2026-02-30"}]',
      /exceptions\.0\.expires/,
    ],
    [
      'a date-time without offset',
      'exceptions: [{id: a, checks: ["*"], reason: r, expires: "2026-02-01T10:00:00"}]',
      /exceptions\.0\.expires/,
    ],
    [
      'an unknown built-in id in disable',
      'disable: [nodes, node]',
      /disable\.1: "node" is not a built-in exception id/,
    ],
    [
      'two exceptions with one id',
      'exceptions: [{id: a, checks: ["*"], reason: r}, {id: a, checks: ["x"], reason: r}]',
      /exceptions\.1\.id: "a" is used by an earlier exception/,
    ],
    ['a list instead of a map', '- id: a', /\(document\)/],
  ])('rejects %s, naming the field', (_name, text, expected) => {
    expect(errorOf(text)).toMatch(expected);
  });

  it('rejects more than one document', () => {
    expect(errorOf('defaults: true\n---\ndefaults: false')).toBe(
      'exceptions.yaml: expected one YAML or JSON document',
    );
  });

  it('names the file in syntax errors', () => {
    expect(errorOf('exceptions: [', 'mine.yaml')).toMatch(/^mine\.yaml: document 1, line \d+/);
  });
});
