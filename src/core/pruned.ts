/**
 * Names forgotten by a force-leave with prune, remembered for a while so that a state transfer
 * from a peer that has not pruned yet does not bring the departed row back. Only departed rows
 * at or below the pruned incarnation are refused: the member itself, started again, comes back
 * with its own alive claim as any newcomer.
 */
export class PrunedNames {
  private readonly names = new Map<string, { readonly incarnation: number; readonly until: number }>();

  /** `keepMs`: how long a prune is remembered (the reap age of a left member); `max`: a bound on the memory, oldest first out. */
  constructor(
    private readonly keepMs: number,
    private readonly max = 4096,
  ) {}

  add(name: string, incarnation: number, now: number): void {
    this.names.delete(name);
    this.names.set(name, { incarnation, until: now + this.keepMs });
    if (this.names.size > this.max) this.names.delete(this.names.keys().next().value!);
  }

  /** Was `name` pruned at `incarnation` or above, recently enough to refuse a departed row of it? */
  covers(name: string, incarnation: number, now: number): boolean {
    const p = this.names.get(name);
    if (!p) return false;
    if (now >= p.until) {
      this.names.delete(name);
      return false;
    }
    return incarnation <= p.incarnation;
  }

  /** The incarnation `name` was pruned at, if it is remembered. */
  incarnationOf(name: string): number | undefined {
    return this.names.get(name)?.incarnation;
  }

  get size(): number {
    return this.names.size;
  }
}
