// Small helpers shared by every service module.
import { randomUUID } from 'node:crypto';

/**
 * A random UUID as one flat string. randomUUID() builds its answer by concatenation, a tree of ~20 cons-string
 * nodes (≈600 bytes) kept alive as long as the id is: the largest cost of a seeded server and its port at 100k.
 */
export const uuid = (): string => Buffer.from(randomUUID(), 'latin1').toString('latin1');
export const requestId = (): string => `req-${randomUUID()}`;
export const hexId = (): string => randomUUID().replace(/-/g, '');

/** "2026-11-26T10:38:43Z", the way nova, neutron and glance print times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "2026-11-26T10:38:43.000000Z", the way keystone prints token times. */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** An error a handler throws; the service's formatter turns it into that service's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Neutron's exception class name, e.g. "NetworkNotFound". */
    readonly type?: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, type = 'BadRequest') => new ApiError(400, message, type);
export const notFound = (message: string, type = 'NotFound') => new ApiError(404, message, type);
export const conflict = (message: string, type = 'Conflict') => new ApiError(409, message, type);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The n-th host address of an IPv4 CIDR (n = 1 is the first usable). */
export function ipv4At(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  const value = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Neutron-style MAC from a counter. */
export function macFor(n: number): string {
  const hex = n.toString(16).padStart(6, '0').slice(-6);
  // Flattened: the template would keep a small cons-string tree per port alive.
  return Buffer.from(`fa:16:3e:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`, 'latin1').toString('latin1');
}

export function asObject(value: unknown, what: string): Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`Invalid input: '${what}' must be an object`);
  }
  return value as Record<string, any>;
}
