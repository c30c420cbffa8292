/** The part of jStat (npm `jstat`, no types of its own) that cv-stats.ts uses. */
declare module "jstat" {
  interface StudentT {
    /** P(T ≤ x) for Student's t with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** The p-quantile of Student's t with `dof` degrees of freedom. */
    inv(p: number, dof: number): number;
  }
  const jStat: { readonly studentt: StudentT };
  export default jStat;
}
