/** The backup folder's hidden area: staging, upload resources and the library index live under it. */
export const HIDDEN_DIR = '.shoebox';
