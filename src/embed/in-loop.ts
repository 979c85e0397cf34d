/**
 * An agent on the host's own event loop as a Cluster's membership source: the default, and what
 * the worker is measured against (bench/ISOLATE.md). Owns the admin API it serves, if any.
 */
import { adminDepsFor, type AgentAdminOptions } from '../admin/agent-deps.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import type { Agent, AgentHealth, QueryHandler, QueryOptions } from '../agent/agent.js';
import type { QueryStream } from '../agent/query-stream.js';
import type { Member, MemberEvent, MemberEventType, Tags } from '../core/types.js';
import type { UserEventData } from '../core/io.js';
import type { ClusterStats, MembershipSource } from '../membership-source.js';

export class InLoopSource implements MembershipSource {
  private admin: AdminServer | undefined;

  constructor(readonly agent: Agent) {}

  get name(): string {
    return this.agent.name;
  }
  get adminAddress(): string | undefined {
    return this.admin?.address;
  }
  members(): Member[] {
    return this.agent.members();
  }
  on(type: MemberEventType, fn: (e: MemberEvent) => void): () => void {
    return this.agent.on(type, fn);
  }
  awareness(): number {
    return this.agent.stats().awareness;
  }
  event(name: string, payload: Uint8Array, coalesce: boolean): void {
    this.agent.event(name, payload, { coalesce });
  }
  onUserEvent(fn: (e: UserEventData) => void): () => void {
    return this.agent.on('event', fn);
  }
  query(name: string, payload: Uint8Array, opts: QueryOptions): QueryStream {
    return this.agent.query(name, payload, opts);
  }
  onQuery(name: string, handler: QueryHandler): () => void {
    return this.agent.onQuery(name, handler);
  }
  agentHealth(): AgentHealth {
    return this.agent.health();
  }
  setTags(tags: Tags): void {
    this.agent.setTags(tags);
  }
  async stats(): Promise<ClusterStats> {
    return { ...this.agent.stats(), isolate: 'none' };
  }
  join(seeds: readonly string[]): Promise<number> {
    return this.agent.join(seeds);
  }

  /** Serve the admin API for this agent; `leave` there leaves and then closes it. */
  async openAdmin(listen: string, token: string | undefined, opts: Omit<AgentAdminOptions, 'leave'>): Promise<void> {
    this.admin = await startAdminServer(
      listen,
      adminDepsFor(this.agent, {
        ...opts,
        leave: async () => {
          await this.agent.leave();
          await this.agent.shutdown();
          // Answer the request first, then close the server it came through.
          setTimeout(() => void this.admin?.close(), 50);
        },
        info: () => ({ isolate: 'none' }),
      }),
      { token },
    );
    this.agent.log.info({ admin: this.admin.address, token: token !== undefined }, 'admin API listening');
  }

  async leave(): Promise<void> {
    await this.agent.leave();
    await this.shutdown();
  }

  async shutdown(): Promise<void> {
    await this.agent.shutdown();
    await this.admin?.close();
  }
}
