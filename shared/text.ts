/** Text checks both ends share. */

/** C0 and C1 control characters (tabs, line breaks, DEL, …): never part of a name a person gave. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
