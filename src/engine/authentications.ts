/**
 * Where a run's credentials come from, and the clients made from them. The engine asks for an
 * authentication by owner and name; the CLI answers from the local `AuthStore`, the server from
 * its own users. Clients are kept per authentication (and its last change) so that steps share
 * keep-alive connections and the process-wide rate limits.
 */
import { createClient, type Client, type ClientOptions } from '../client.js';
import { ConfigError } from '../errors.js';
import type { ConnectorId } from '../regions.js';
import type { AuthStore, ResolvedAuthentication } from '../store/auth-store.js';

export interface AuthenticationResolver {
  /**
   * The authentication `name` visible to the user `ownerId` (or, without a name, the owner's
   * default for the connector). Throws a `ConfigError` saying why when there is none.
   */
  resolve(
    ownerId: number,
    name: string | undefined,
    connector: ConnectorId,
  ): ResolvedAuthentication | Promise<ResolvedAuthentication>;
}

/** Resolves from a local store opened as the workflow's owner (the CLI). */
export function authStoreResolver(store: AuthStore): AuthenticationResolver {
  return {
    resolve(ownerId, name, connector) {
      if (ownerId !== store.userId) {
        throw new ConfigError(
          `This workflow belongs to another user; run it as its owner (--auth-owner or CIOC_USER).`,
        );
      }
      const auth = name === undefined ? store.defaultFor(connector) : store.resolve(name);
      if (auth === undefined) {
        throw new ConfigError(
          `No authentication given for the ${connector} step and the owner has no default for ${connector} (\`cioc auth default <name>\`).`,
        );
      }
      if (auth.connector !== connector) {
        throw new ConfigError(
          `The authentication "${auth.name}" is for the ${auth.connector} connector, not ${connector}.`,
        );
      }
      return auth;
    },
  };
}

export type ClientDefaults = Pick<
  ClientOptions,
  'dispatcher' | 'retry' | 'rateLimits' | 'emulatorUrl' | 'userAgent'
>;

export class ClientPool {
  private readonly clients = new Map<string, Client>();

  constructor(private readonly defaults: ClientDefaults = {}) {}

  for(auth: ResolvedAuthentication): Client {
    const key = `${auth.id}\u0000${auth.updatedAt}\u0000${auth.region}\u0000${auth.baseUrl ?? ''}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = createClient({
        ...this.defaults,
        connector: auth.connector,
        region: auth.region,
        credentials: auth.credentials,
        baseUrl: auth.baseUrl ?? undefined,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}
