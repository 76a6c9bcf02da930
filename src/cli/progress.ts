/**
 * What a command says on stderr while it works, so that a person is never left in silence: each
 * retry and why, each wait (with a countdown on a terminal), each page of `--all`. In machine mode
 * it says nothing, except the delivery decisions as JSON log lines with `--verbose`.
 */
import { CONNECTORS } from '../connectors.js';
import type { PageInfo } from '../operations/pagination.js';
import type { ConnectorId } from '../regions.js';
import type { DeliveryEvent } from '../transport/delivery-events.js';
import { paint, type Io } from './io.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Waits shorter than this get a plain line: a countdown would only flicker. */
const COUNTDOWN_FROM_MS = 1_000;
/** A request unanswered this long gets a spinner ("Waiting for App… 2 s") until its answer. */
const AWAITING_FROM_MS = 1_000;

export interface ProgressOptions {
  /** A person reads stderr (see `isHuman`). */
  human: boolean;
  /** `--verbose`: delivery decisions as JSON log lines in machine mode. */
  verbose: boolean;
  connector: ConnectorId;
  /** The per-attempt timeout, to say what a timeout was. */
  timeoutMs: number;
}

export class Progress {
  private items = 0;
  private lastPage: PageInfo | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** The text of the countdown on screen, to leave as a finished line when it ends. */
  private waitingText = '';
  private throttledShown = false;
  private readonly service: string;
  /** Requests sent and not yet answered, since when, and the spinner that says so. */
  private pending = 0;
  private pendingSince = 0;
  private awaitingTimer: NodeJS.Timeout | undefined;
  private awaitingTicker: NodeJS.Timeout | undefined;
  private awaitingFrame = 0;

  constructor(
    private readonly io: Io,
    private readonly options: ProgressOptions,
  ) {
    // "429 from Track": the connector's own name, without the vendor's.
    this.service = CONNECTORS[options.connector].title.replace(/^Customer\.io /, '');
  }

  /** For `ClientOptions.onEvent`. */
  readonly onEvent = (event: DeliveryEvent): void => {
    if (!this.options.human) {
      // Each attempt's answer is already a `--verbose` log entry (the logger's); these add nothing.
      if (this.options.verbose && event.type !== 'request' && event.type !== 'response')
        this.io.stderr.write(`${JSON.stringify({ log: event })}\n`);
      return;
    }
    switch (event.type) {
      case 'request':
        if (this.pending++ === 0) {
          this.pendingSince = Date.now();
          this.awaitingTimer = setTimeout(this.startAwaiting, AWAITING_FROM_MS);
          this.awaitingTimer.unref();
        }
        return;
      case 'response':
        this.pending = Math.max(0, this.pending - 1);
        if (this.pending === 0) this.endAwaiting();
        return;
      case 'retry': {
        const next = `attempt ${String(event.attempt + 1)} of ${String(event.maxAttempts)}`;
        const line = `${this.causeText(event.cause)}, waiting ${seconds(event.delayMs)}${
          event.fromRetryAfter ? ' as Retry-After asks' : ''
        } (${next})`;
        this.wait(line, event.delayMs);
        return;
      }
      case 'give_up':
        if (event.attempts > 1)
          this.line(`Gave up after ${String(event.attempts)} attempts (${giveUpReason(event.reason)}).`);
        return;
      case 'throttled':
        // Once per command: a batch may wait for its turn on every request.
        if (!this.throttledShown) {
          this.throttledShown = true;
          this.line(`Pacing requests to ${this.service}'s rate limit…`);
        }
        return;
    }
  };

  /** For `PageOptions.onPage`. */
  readonly onPage = (page: PageInfo): void => {
    this.items += page.items;
    this.lastPage = page;
    if (this.options.human)
      this.line(
        `Page ${String(page.number)}: ${String(page.items)} items (${String(this.items)} so far)${
          page.more ? '' : ', last page'
        }`,
      );
  };

  /** A line for a person (human mode only): what a long command is doing. */
  readonly say = (text: string): void => {
    if (this.options.human) this.line(text);
  };

  /** After `--all`: says when `--max-pages` cut the listing short (in both modes: data is missing). */
  finishPages(maxPages: number): void {
    const last = this.lastPage;
    if (last?.more !== true || last.number < maxPages) return;
    const text = `stopped after ${String(last.number)} pages (--max-pages ${String(maxPages)}); more items remain`;
    this.io.stderr.write(
      this.options.human ? `${paint(this.io, 33, 'Warning:')} ${text}.\n` : `warning: ${text}\n`,
    );
  }

  /** Ends a countdown or a spinner still on screen (the command is ending). */
  stop(): void {
    this.endAwaiting();
    this.stopCountdown();
  }

  private readonly startAwaiting = (): void => {
    this.awaitingTimer = undefined;
    this.awaitingTicker = setInterval(this.drawAwaiting, 100);
    this.awaitingTicker.unref();
    this.drawAwaiting();
  };

  /** "⠙ Waiting for App… 2 s", rewritten in place; a countdown on screen has the line instead. */
  private readonly drawAwaiting = (): void => {
    if (this.ticker !== undefined) return;
    const spinner = SPINNER[this.awaitingFrame++ % SPINNER.length] ?? '';
    const elapsed = Math.floor((Date.now() - this.pendingSince) / 1000);
    this.io.stderr.write(
      `\r\u001b[K${paint(this.io, 36, spinner)} Waiting for ${this.service}… ${String(elapsed)} s`,
    );
  };

  /** The answer came: the spinner goes without a trace (the result, or the next line, follows). */
  private endAwaiting(): void {
    if (this.awaitingTimer !== undefined) clearTimeout(this.awaitingTimer);
    this.awaitingTimer = undefined;
    if (this.awaitingTicker === undefined) return;
    clearInterval(this.awaitingTicker);
    this.awaitingTicker = undefined;
    if (this.ticker === undefined) this.io.stderr.write('\r\u001b[K');
  }

  private stopCountdown(): void {
    if (this.ticker === undefined) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.io.stderr.write(`\r\u001b[K${paint(this.io, 2, '›')} ${this.waitingText}\n`);
  }

  private causeText(cause: string): string {
    if (cause === 'timeout')
      return `No complete response from ${this.service} within ${String(this.options.timeoutMs)} ms`;
    if (cause === 'connection') return `Could not reach ${this.service}`;
    return `${cause} from ${this.service}`;
  }

  private line(text: string): void {
    this.stopCountdown();
    // Over a spinner still waiting for an answer: it is redrawn below the line on its next tick.
    if (this.awaitingTicker !== undefined) this.io.stderr.write('\r\u001b[K');
    this.io.stderr.write(`${paint(this.io, 2, '›')} ${text}\n`);
  }

  /** A line with a spinner and the seconds left, rewritten in place until the wait is over. */
  private wait(text: string, ms: number): void {
    this.stopCountdown();
    if (ms < COUNTDOWN_FROM_MS) {
      this.line(`${text}…`);
      return;
    }
    const until = Date.now() + ms;
    let frame = 0;
    this.waitingText = text;
    const draw = (): void => {
      const left = Math.max(0, until - Date.now());
      if (left === 0) {
        this.stopCountdown();
        return;
      }
      const spinner = SPINNER[frame++ % SPINNER.length] ?? '';
      this.io.stderr.write(`\r\u001b[K${paint(this.io, 36, spinner)} ${text}… ${seconds(left)} left`);
    };
    this.ticker = setInterval(draw, 100);
    // Never the reason the process stays alive.
    this.ticker.unref();
    draw();
  }
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${String(Math.ceil(ms / 1000))} s` : `${(ms / 1000).toFixed(1)} s`;
}

function giveUpReason(reason: string): string {
  switch (reason) {
    case 'exhausted':
      return 'no retries left; --max-retries sets how many';
    case 'budget':
      return 'another wait would pass the 90 s budget of one call';
    case 'delivery_unknown':
      return 'resending could deliver twice';
    default:
      return 'the failure is not one that a retry can fix';
  }
}
