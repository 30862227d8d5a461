// The parts of rhea's untyped API this adapter uses, typed once here. rhea ships no TypeScript types for
// its server side; rhea-promise's typings cover the client only.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface RheaTyped {
  readonly typecode?: number;
  readonly value: unknown;
  readonly descriptor?: { readonly value: unknown };
}

export interface RheaTypes {
  wrap_long(v: number | Buffer): RheaTyped;
  wrap_ulong(v: number): RheaTyped;
  described(descriptor: RheaTyped, value: RheaTyped): RheaTyped;
  wrap_int(v: number): RheaTyped;
  wrap_uint(v: number): RheaTyped;
  wrap_string(v: string): RheaTyped;
  wrap_symbol(v: string): RheaTyped;
  wrap_boolean(v: boolean): RheaTyped;
  wrap_timestamp(v: number): RheaTyped;
  wrap_binary(v: Buffer): RheaTyped;
  wrap_uuid(v: Buffer): RheaTyped;
  wrap_map(v: Record<string, unknown>, key_wrapper?: (k: string) => RheaTyped): RheaTyped;
  wrap_array(v: unknown[], code: number, descriptor?: unknown): RheaTyped;
  wrap_list(v: unknown[]): RheaTyped;
  wrap_described(v: unknown, descriptor: number | string): RheaTyped;
  wrap(v: unknown): RheaTyped;
  is_map(v: unknown): boolean;
  Reader: new (buf: Buffer) => { read(): RheaTyped; remaining(): number };
  Writer: new () => { write(v: RheaTyped): void; toBuffer(): Buffer };
  unwrap(v: RheaTyped): unknown;
}

export interface RheaSection {
  readonly typecode: number;
  readonly content: unknown;
  readonly multiple?: boolean;
}

export interface RheaMessageModule {
  encode(msg: Record<string, unknown>): Buffer;
  decode(buf: Buffer): Record<string, unknown>;
  data_section(b: Buffer): unknown;
  sequence_section(l: unknown[]): unknown;
  accepted(): unknown;
  rejected(o?: unknown): unknown;
  released(): unknown;
  modified(o?: unknown): unknown;
}

export interface Rhea {
  create_container(options?: Record<string, unknown>): RheaContainer;
  types: RheaTypes;
  message: RheaMessageModule;
  string_to_uuid(s: string): Buffer;
  uuid_to_string(b: Buffer): string;
}

export interface RheaContainer {
  sasl_server_mechanisms: { enable_anonymous(): void; enable_plain(cb: (user: string, pass: string) => boolean): void };
  create_connection(options: Record<string, unknown>): RheaConnection;
  on(event: string, fn: (ctx: RheaContext) => void): void;
}

export interface RheaEndpointState {
  local_open: boolean;
  open_requests: number;
}

export interface RheaLink {
  readonly name: string;
  readonly remote: { attach: Record<string, unknown> & { source?: Record<string, unknown>; target?: Record<string, unknown>; properties?: Record<string, unknown>; snd_settle_mode?: number; rcv_settle_mode?: number } };
  readonly local: { attach: Record<string, unknown> };
  readonly state: RheaEndpointState;
  readonly connection: RheaConnection;
  credit: number;
  set_source(s: Record<string, unknown> | undefined): void;
  set_target(t: Record<string, unknown> | undefined): void;
  is_open(): boolean;
  is_closed(): boolean;
  open(): void;
  close(error?: { condition: string; description?: string }): void;
  sendable(): boolean;
  send(msg: Record<string, unknown> | Buffer, tag?: Buffer, format?: number): RheaDelivery;
  set_drained(d: boolean): void;
  get_drain?(): boolean;
  _draining?: boolean;
  add_credit?(n: number): void;
}

export interface RheaDelivery {
  readonly tag: Buffer;
  readonly remote_state?: { readonly undeliverable_here?: boolean; readonly message_annotations?: Record<string, unknown>; readonly error?: { readonly condition?: string; readonly description?: string; readonly info?: Record<string, unknown> } };
  readonly link: RheaLink;
  settled: boolean;
  update(settled: boolean, state?: unknown): void;
  accept(): void;
  reject(error?: { condition: string; description?: string }): void;
  release(o?: unknown): void;
}

export interface RheaConnection {
  readonly options: Record<string, unknown>;
  accept(socket: unknown): RheaConnection;
  close(error?: { condition: string; description?: string }): void;
  on(event: string, fn: (ctx: RheaContext) => void): void;
  readonly socket?: { destroy(): void };
  is_open(): boolean;
  container_id?: string;
  local: { open: Record<string, unknown> };
}

export interface RheaContext {
  readonly connection: RheaConnection;
  readonly sender?: RheaLink;
  readonly receiver?: RheaLink;
  readonly delivery?: RheaDelivery;
  readonly message?: Record<string, unknown> | Buffer;
  readonly format?: number;
  readonly error?: unknown;
}

export const rhea = require('rhea') as Rhea;
