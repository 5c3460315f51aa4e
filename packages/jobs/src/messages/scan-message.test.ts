import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../errors.ts';
import { encodeScanMessage, MAX_SCAN_MESSAGE_BYTES, manualSlot, parseScanMessage } from './scan-message.ts';

const CLUSTER = '7b0c8f5e-4a53-4c4e-9d55-2f0d8e1f6a10';

describe('scan messages', () => {
  it('round-trips a version 1 message naming the run by cluster and slot', () => {
    const body = encodeScanMessage({
      clusterId: CLUSTER,
      slot: '2026-03-01T00:00:00.000Z',
      trigger: 'schedule',
    });
    expect(JSON.parse(body)).toEqual({
      v: 1,
      clusterId: CLUSTER,
      slot: '2026-03-01T00:00:00.000Z',
      trigger: 'schedule',
    });
    expect(parseScanMessage(body)).toEqual(JSON.parse(body));
  });

  it('names manual runs manual:<id>, a slot the store accepts', () => {
    const slot = manualSlot('0d9f0a57-5c77-4a2e-8d6a-3a3f4d1b6e20');
    expect(parseScanMessage(encodeScanMessage({ clusterId: CLUSTER, slot, trigger: 'manual' })).slot).toBe(
      slot,
    );
  });

  it.each([
    ['not JSON', '{"v":1,', /not JSON/],
    ['another version', JSON.stringify({ v: 2, clusterId: CLUSTER, slot: 's', trigger: 'manual' }), /v:/],
    ['no version', JSON.stringify({ clusterId: CLUSTER, slot: 's', trigger: 'manual' }), /v:/],
    [
      'a cluster id that is no uuid',
      JSON.stringify({ v: 1, clusterId: 'x', slot: 's', trigger: 'manual' }),
      /clusterId/,
    ],
    [
      'a slot with spaces',
      JSON.stringify({ v: 1, clusterId: CLUSTER, slot: 'a b', trigger: 'manual' }),
      /slot/,
    ],
    [
      'an unknown trigger',
      JSON.stringify({ v: 1, clusterId: CLUSTER, slot: 's', trigger: 'cron' }),
      /trigger/,
    ],
    [
      'an unknown field',
      JSON.stringify({ v: 1, clusterId: CLUSTER, slot: 's', trigger: 'manual', x: 1 }),
      /x/,
    ],
    ['a JSON array', '[]', /body/],
    ['an empty body', '', /not JSON/],
  ])('refuses %s with a MalformedMessageError', (_what, body, message) => {
    expect(() => parseScanMessage(body)).toThrow(MalformedMessageError);
    expect(() => parseScanMessage(body)).toThrow(message);
  });

  it('refuses an oversized body before parsing it', () => {
    const body = JSON.stringify({
      v: 1,
      clusterId: CLUSTER,
      slot: 's',
      trigger: 'manual',
      pad: 'x'.repeat(MAX_SCAN_MESSAGE_BYTES),
    });
    expect(() => parseScanMessage(body)).toThrow(/larger than/);
  });

  it('will not encode a message the scanner would refuse', () => {
    expect(() => encodeScanMessage({ clusterId: 'nope', slot: 's', trigger: 'manual' })).toThrow();
  });
});
