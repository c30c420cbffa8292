/**
 * Winograd minimal filtering F(m, r) (Lavin & Gray 2016, "Fast Algorithms for Convolutional
 * Neural Networks"): m outputs of a 1-D correlation y_i = Σ_k d_{i+k} g_k with an r-tap filter from
 * α = m + r − 1 inputs in α multiplies, y = Aᵀ [(G g) ⊙ (Bᵀ d)]; in 2-D, on an α×α input tile d,
 * Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A (m×m outputs, α² multiplies instead of m²r²).
 *
 * The matrices come from Cook–Toom interpolation at α − 1 finite points and ∞ (0, ±1, ±2, ±½, …:
 * the fewer and smaller the points, the smaller the float32 error). A correlation is the transpose
 * of a polynomial product z = u·g (u of degree m − 1): z = C diag(G g) A u with A, G evaluating u
 * and g at the points (at ∞: the leading coefficient) and C interpolating z from its values, so
 * y = Aᵀ diag(G g) Cᵀ d and Bᵀ = Cᵀ. Lagrange denominators are folded into G (the filter
 * transform, done once per step), which leaves Bᵀ and Aᵀ with small exact entries.
 */
export interface WinogradTransforms {
  /** Outputs per tile side. */
  readonly m: number;
  /** Filter taps per side. */
  readonly r: number;
  /** Input tile side, m + r − 1. */
  readonly alpha: number;
  /** Bᵀ, α×α row-major: the input transform. */
  readonly bt: Float64Array;
  /** G, α×r row-major: the filter transform. */
  readonly g: Float64Array;
  /** Aᵀ, m×α row-major: the output transform. */
  readonly at: Float64Array;
}

/** Interpolation points in the order they are taken (α − 1 of them, then ∞). */
const POINTS: readonly number[] = [0, 1, -1, 2, -2, 0.5, -0.5, 3, -3];

/** Coefficients (ascending powers) of Π (x − p) over `roots`. */
function polyFromRoots(roots: readonly number[]): number[] {
  let c = [1];
  for (const p of roots) {
    const next = new Array<number>(c.length + 1).fill(0);
    for (let i = 0; i < c.length; i++) {
      next[i + 1] = (next[i + 1] as number) + (c[i] as number);
      next[i] = (next[i] as number) - p * (c[i] as number);
    }
    c = next;
  }
  return c;
}

/**
 * The transforms of F(m, r) at the finite points `points` (α − 1 distinct values; by default the
 * first α − 1 of 0, ±1, ±2, ±½, ±3); throws when there are not α − 1 distinct points.
 */
export function winogradTransforms(
  m: number,
  r: number,
  points: readonly number[] = POINTS.slice(0, m + r - 2),
): WinogradTransforms {
  const alpha = m + r - 1;
  if (m < 1 || r < 1 || points.length !== alpha - 1 || new Set(points).size !== points.length)
    throw new Error(`winogradTransforms: no points for F(${m}, ${r}) in [${points}]`);
  const pts = points;
  const bt = new Float64Array(alpha * alpha);
  const g = new Float64Array(alpha * r);
  const at = new Float64Array(m * alpha);
  pts.forEach((p, j) => {
    const others = pts.filter((_, l) => l !== j);
    const denominator = others.reduce((a, q) => a * (p - q), 1);
    polyFromRoots(others).forEach((c, l) => {
      bt[j * alpha + l] = c;
    });
    for (let k = 0; k < r; k++) g[j * r + k] = p ** k / denominator;
    for (let i = 0; i < m; i++) at[i * alpha + j] = p ** i;
  });
  // the point at ∞: leading coefficients
  polyFromRoots(pts).forEach((c, l) => {
    bt[(alpha - 1) * alpha + l] = c;
  });
  g[(alpha - 1) * r + r - 1] = 1;
  at[(m - 1) * alpha + alpha - 1] = 1;
  return { m, r, alpha, bt, g, at };
}
