/** A command's failure as the window sees it: a stable code and a sentence for people. */
export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}
