/**
 * Sends requests for Customer.io's real hosts to local emulators, keeping the Host header, so the
 * region table and the region probe run unchanged (a test double of the network, not of our code).
 */
import { Agent, type Dispatcher } from 'undici';

export class RoutingAgent extends Agent {
  constructor(private readonly routes: Readonly<Record<string, string>>) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin));
    const target = this.routes[origin.host];
    if (target === undefined) throw new Error(`no route for ${origin.host}`);
    const headers = { ...(options.headers as Record<string, string>), host: origin.host };
    return super.dispatch({ ...options, origin: target, headers }, handler);
  }
}
