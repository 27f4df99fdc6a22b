/** A route of the receiver's HTTP server: answers the request and returns true, or returns false to pass it on. */
import type http from 'node:http';

export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;
