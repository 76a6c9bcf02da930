/** What the console needs to know before anyone signs in. */
import { Type } from '../../json-schema.js';
import { REGIONS } from '../../regions.js';
import { VERSION } from '../../version.js';
import { route, type RouteDef } from '../route.js';

export const consoleConfigRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/console/config',
    summary: 'Regions, the emulator the emulator region points at (null when none), the version (no login)',
    tags: ['console'],
    auth: false,
    schema: {
      response: {
        200: Type.Object({
          regions: Type.Array(Type.String()),
          emulatorUrl: Type.Union([Type.String(), Type.Null()]),
          version: Type.String(),
        }),
      },
    },
    async handler(ctx) {
      return { regions: [...REGIONS], emulatorUrl: ctx.services.emulatorUrl ?? null, version: VERSION };
    },
  }),
];
