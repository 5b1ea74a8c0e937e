// A problem the operator fixes in the environment (a setting, a folder, a port): reported without a stack.
export class OperatorError extends Error {}
