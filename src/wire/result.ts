/** A value or a reason: what decoding remote input returns instead of throwing. */
export type Result<T, E = string> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: E; readonly detail?: string };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(reason: E, detail?: string): Result<never, E> => (detail === undefined ? { ok: false, reason } : { ok: false, reason, detail });
