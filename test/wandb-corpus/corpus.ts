/**
 * The W&B sweep corpus (files/, sources in SOURCES.md): what hpo does with each file. A file is
 * accepted, or refused for one of REFUSALS, each a row of the README's compatibility table
 * ("W&B sweep files"). corpus.test.ts parses every file and holds both lists to it.
 */

/** Why hpo refuses a W&B file: the message hpo gives, and the README row that explains it. */
export interface Refusal {
  /** Matches the refusal's message (an issue of parseSweepSpec's INVALID_SPEC error). */
  readonly message: RegExp;
  /** The first cell of its row in the README's compatibility table. */
  readonly readme: string;
}

export const REFUSALS = {
  launch: {
    message: /is a W&B Launch job, which needs W&B Launch/,
    readme: "W&B Launch: `job`, `scheduler`, `image_uri`",
  },
  "ray-tune": { message: /tune is not a known key/, readme: "`tune:` (W&B's old Ray Tune search)" },
  "duplicate-keys": {
    message: /YAML syntax error at line \d+, column \d+: Map keys must be unique/,
    readme: "A key given twice",
  },
  "unknown-parameter-key": {
    message: /parameters\.\w+\.type is not a known key/,
    readme: "A parameter key W&B does not define",
  },
  "metric-name": { message: /metric\.name must start with a letter/, readme: "A metric name with spaces" },
  "no-metric": { message: /metric is required with program/, readme: "No `metric`" },
} as const satisfies Record<string, Refusal>;

export interface CorpusFile {
  /** Under files/. */
  readonly file: string;
  /** Where it comes from (SOURCES.md has the commit). */
  readonly repo: string;
  readonly path: string;
  /** Absent: hpo accepts the file as it is. */
  readonly refused?: keyof typeof REFUSALS;
}

export const CORPUS: readonly CorpusFile[] = [
  { file: "aleph-alpha-magma.yml", repo: "Aleph-Alpha/magma", path: "sweep.yml" },
  { file: "april-tools-e4selflearning.yml", repo: "april-tools/e4selflearning", path: "sweep.yml" },
  { file: "ayulockin-av-segmentation.yml", repo: "ayulockin/av-segmentation", path: "sweep.yml" },
  { file: "benihime91-leaf-disease.yml", repo: "benihime91/leaf-disease-classification-kaggle", path: "sweep.yml" },
  {
    file: "chengsly-deepmicroclass.yml",
    repo: "chengsly/DeepMicroClass",
    path: "sweep.yml",
    refused: "unknown-parameter-key",
  },
  { file: "copenlu-flexible-probing.yml", repo: "copenlu/flexible-probing", path: "sweep.yml" },
  { file: "czbiohub-sf-yogo.yml", repo: "czbiohub-sf/yogo", path: "sweep.yml", refused: "metric-name" },
  { file: "desy-ml-rl-vs-bo.yml", repo: "desy-ml/rl-vs-bo", path: "sweep.yml" },
  { file: "hashakgik-torch-wandb-boilerplate.yml", repo: "HashakGik/torch-wandb-boilerplate", path: "sweep.yml" },
  {
    file: "julian-q-graph-attention-network.yml",
    repo: "julian-q/graph-attention-network",
    path: "sweep.yml",
    refused: "duplicate-keys",
  },
  { file: "kenjiqq-aesthetics-scorer.yml", repo: "kenjiqq/aesthetics-scorer", path: "sweep.yml" },
  { file: "milescranmer-pysr-wandb.yml", repo: "MilesCranmer/pysr_wandb", path: "sweep.yml" },
  { file: "tsereda-wandb-sweeps-template-nrp.yml", repo: "tsereda/wandb-sweeps-template-nrp", path: "sweep.yml" },
  { file: "tsilva-mnist-classifier.yml", repo: "tsilva/mnist-classifier", path: "sweep.yml" },
  {
    file: "wandb-examples-cross-validation.yaml",
    repo: "wandb/examples",
    path: "examples/wandb-sweeps/sweeps-cross-validation/sweep-cross-validation.yaml",
  },
  { file: "wandb-examples-fastai1-simpsons.yaml", repo: "wandb/examples", path: "fastai1-simpsons/sweep.yaml" },
  { file: "wandb-examples-hydra-cifar10.yaml", repo: "wandb/examples", path: "sweep_cifar10.yaml" },
  { file: "wandb-examples-hydra-mnist.yaml", repo: "wandb/examples", path: "sweep_mnist.yaml" },
  { file: "wandb-examples-hydra-sweep.yaml", repo: "wandb/examples", path: "sweep.yaml" },
  {
    file: "wandb-examples-keras-bayes-hyperband.yaml",
    repo: "wandb/examples",
    path: "keras/keras-cnn-fashion/sweep-bayes-hyperband.yaml",
  },
  {
    file: "wandb-examples-keras-grid-hyperband.yaml",
    repo: "wandb/examples",
    path: "keras-cnn-fashion/sweep-grid-hyperband.yaml",
  },
  {
    file: "wandb-examples-keras-random-hyperband.yaml",
    repo: "wandb/examples",
    path: "keras-cnn-fashion/sweep-random-hyperband.yaml",
  },
  {
    file: "wandb-examples-keras-tune-hyperopt.yaml",
    repo: "wandb/examples",
    path: "examples/keras/keras-cnn-fashion/sweep-tune-hyperopt.yaml",
    refused: "ray-tune",
  },
  {
    file: "wandb-examples-launch-custom-job.yaml",
    repo: "wandb/examples",
    path: "examples/launch/launch-sweeps/custom-scheduler/custom_job_sweep_config.yaml",
    refused: "launch",
  },
  {
    file: "wandb-examples-launch-optuna-basic.yaml",
    repo: "wandb/examples",
    path: "examples/launch/launch-sweeps/optuna-scheduler/optuna_config_basic.yaml",
    refused: "launch",
  },
  { file: "wandb-examples-llama-cpp.yaml", repo: "wandb/examples", path: "examples/llama-cpp/sweep.yaml" },
  {
    file: "wandb-examples-minimal-hydra.yaml",
    repo: "wandb/examples",
    path: "examples/minimal-hydra-example/wandb_sweep.yaml",
  },
  {
    file: "wandb-examples-pyg-pointnet.yaml",
    repo: "wandb/examples",
    path: "colabs/pyg/pointnet-classification/sweep_config.yaml",
  },
  {
    file: "wandb-examples-pytorch-grid-hyperband.yaml",
    repo: "wandb/examples",
    path: "examples/pytorch/pytorch-cnn-fashion/sweep-grid-hyperband.yaml",
  },
  {
    file: "wandb-examples-sweep-bool.yaml",
    repo: "wandb/examples",
    path: "examples/wandb-sweeps/sweeps-boolean-parameters/sweep-bool.yaml",
    refused: "no-metric",
  },
  { file: "wandb-sweeps-bayes.yaml", repo: "wandb/sweeps", path: "examples/sweep-bayes.yaml" },
  { file: "wandb-sweeps-grid.yaml", repo: "wandb/sweeps", path: "examples/sweep-grid.yaml" },
  { file: "wandb-sweeps-launch-jobs.yaml", repo: "wandb/sweeps", path: "examples/launch-jobs/sweep-launch-jobs.yaml" },
  {
    file: "wandb-sweeps-local-hyperband.yaml",
    repo: "wandb/sweeps",
    path: "examples/local-controller/sweep-local-hyperband.yaml",
  },
  { file: "wandb-sweeps-nested-cli.yaml", repo: "wandb/sweeps", path: "examples/nested-params/sweep-nested-cli.yaml" },
];
