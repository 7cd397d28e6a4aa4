import { Controller, Get, Header } from '@nestjs/common';
import { DASHBOARD_PAGE } from './dashboard-page';

/**
 * The operators' dashboard: one static page, open, with no data in it. It asks for the API key,
 * keeps it for the browser tab only, and reads the same authenticated /v1 routes as any client.
 */
@Controller()
export class DashboardController {
  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
  page(): string {
    return DASHBOARD_PAGE;
  }
}
