/** The version of hpo (the CLI's `--version`, export model cards). */
export const HPO_VERSION = "0.1.0";
