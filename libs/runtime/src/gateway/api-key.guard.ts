import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export const API_KEY = Symbol('API_KEY');

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Every /v1 route needs `Authorization: Bearer <ARBITER_API_KEY>`. Keys are compared as
 * SHA-256 digests with timingSafeEqual: constant time whatever the length of the guess.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(API_KEY) apiKey: string) {
    this.expected = digest(apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header = http.getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="arbiter"');
    throw new UnauthorizedException(match ? 'invalid API key' : 'missing API key: send Authorization: Bearer <ARBITER_API_KEY>');
  }
}
