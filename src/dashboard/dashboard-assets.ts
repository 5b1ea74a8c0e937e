import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

// The page and its scripts sit next to this file (nest-cli.json copies public/ into dist/dashboard/).
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
// Chart.js's standalone build, straight from its npm package: the service serves it itself, because wall
// screens on locked-down networks reach no CDN.
export const CHART_JS_DIR = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
export const VENDOR_PREFIX = '/assets/vendor/';
const CHART_JS_FILES = new Set(['/chart.umd.min.js', '/chart.umd.min.js.map']);

// The page loads nothing but its own files and talks to nothing but this service; no other site may show
// it in a frame (where the key dialog could be overlaid to catch the key).
export const DASHBOARD_CSP =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// GET / (the dashboard page) and its assets: plain files, public like /docs. They are Fastify routes of
// their own, outside the /api/v1 prefix and outside the key guard; the page asks for the key and sends it
// with its API calls.
@Injectable()
export class DashboardAssets implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    // one route per file found at start (wildcard: false), so any other path stays a 404
    void fastify.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', wildcard: false, decorateReply: false, setHeaders: pageHeaders });
    void fastify.register(fastifyStatic, {
      root: CHART_JS_DIR,
      prefix: VENDOR_PREFIX,
      decorateReply: false,
      allowedPath: (pathName) => CHART_JS_FILES.has(pathName),
      setHeaders: pageHeaders,
    });
  }
}

function pageHeaders(res: SetHeadersResponse): void {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
}
