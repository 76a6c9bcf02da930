/**
 * Headers on every answer (API, webhooks, the console, errors): a strict Content-Security-Policy
 * (no inline script or style anywhere, so the console and the docs page use served files only),
 * no MIME sniffing, no referrer, no framing, a browsing context of our own, no powerful features,
 * and HSTS when the request came over https (never over plain http, where it would be ignored
 * or, on localhost, pin a name to https it does not serve).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=()';

export function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('permissions-policy', PERMISSIONS_POLICY);
  if (request.protocol === 'https')
    void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
