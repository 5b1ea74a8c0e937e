// Adjust forwards callbacks of up to 1 MB, in the URL or in a body.
export const MAX_CALLBACK_BYTES = 1024 * 1024;
