import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { problem, sendProblem } from '@tthc/http';
import { DashboardAssets } from './dashboard-assets';

/** The page may load only its own scripts and styles and talk only to this service. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web dashboard (docs/dashboard.md): `/` is the single page, `/assets/<file>` its scripts and
 * styles. Public (no key): the page asks for a viewer or admin key and sends it to the report API.
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  constructor(private readonly assets: DashboardAssets) {}

  @Get()
  index(@Req() request: Request, @Res() response: Response): void {
    this.send('index.html', request, response);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Req() request: Request, @Res() response: Response): void {
    this.send(name, request, response);
  }

  private send(name: string, request: Request, response: Response): void {
    const asset = this.assets.get(name);
    if (asset === undefined) {
      const detail = name === 'index.html' ? 'the dashboard is not installed in this build' : `no asset ${name}`;
      sendProblem(response, { ...problem(name === 'index.html' ? 503 : 404, detail), instance: request.originalUrl });
      return;
    }
    response.setHeader('Content-Type', asset.contentType);
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('ETag', asset.etag);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (asset.name.endsWith('.html')) {
      response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      response.setHeader('X-Frame-Options', 'DENY');
    }
    if (request.headers['if-none-match'] === asset.etag) {
      response.status(304).end();
      return;
    }
    response.status(200).send(asset.body);
  }
}
