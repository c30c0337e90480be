// RequestMirror sampling: whether this request is copied, given numerator/denominator.

/** `random` is uniform in [0, 1) (Math.random in production; fixed in tests). */
export function shouldMirror(numerator: number, denominator: number, random: number): boolean {
  if (numerator <= 0 || denominator <= 0) return false;
  if (numerator >= denominator) return true;
  return random * denominator < numerator;
}
