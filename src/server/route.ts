/**
 * A route is a value: method, URL, JSON Schemas, whether it needs a signed-in user, and a handler.
 * The same table registers the Fastify routes and generates the OpenAPI document.
 */
import type { TSchema } from '../json-schema.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';
import type { Services } from './services.js';

export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  /** Validated by Fastify before the handler runs. */
  body?: TSchema;
  /** Documented only: the handler validates it itself (for errors with JSON pointers). */
  documentedBody?: TSchema;
  /** By status code. */
  response?: Record<number, TSchema>;
}

export interface RouteContext {
  request: FastifyRequest;
  reply: FastifyReply;
  services: Services;
  /** The signed-in user (routes with `auth: false` have none and must not ask). */
  principal: Principal;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  /** Default true: needs an authenticated principal. */
  auth?: boolean;
  /** Largest body accepted, in bytes (default: the server's). */
  bodyLimit?: number;
  schema: RouteSchema;
  handler: (ctx: RouteContext) => Promise<unknown>;
}

export const route = (def: RouteDef): RouteDef => def;
