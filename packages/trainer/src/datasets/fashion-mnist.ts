import { existsSync } from "node:fs";
import { join } from "node:path";
import { HpoError } from "@hpo/core";
import type { Dataset } from "./dataset.ts";
import { readIdxFile } from "./idx-loader.ts";

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/**
 * Builds a classification dataset of images from IDX image [n, h, w] and label [n] arrays: pixels
 * scaled to [0, 1], one feature per pixel, `image` [h, w, 1].
 */
export function imageDataset(
  name: string,
  images: { dims: readonly number[]; data: Uint8Array },
  labels: { dims: readonly number[]; data: Uint8Array },
  classes: readonly string[],
  where: string,
): Dataset {
  const [n = 0, h = 0, w = 0] = images.dims;
  if (images.dims.length !== 3)
    throw new HpoError(
      "INVALID_DATASET",
      `${where}: images must be [n, height, width], got [${images.dims.join(", ")}]`,
    );
  if (labels.dims.length !== 1 || labels.dims[0] !== n)
    throw new HpoError("INVALID_DATASET", `${where}: ${n} images but labels of shape [${labels.dims.join(", ")}]`);
  const bad = labels.data.findIndex((l) => l >= classes.length);
  if (bad >= 0)
    throw new HpoError(
      "INVALID_DATASET",
      `${where}: label ${labels.data[bad]} of image ${bad} is not a class id 0..${classes.length - 1}`,
    );
  const features = new Float32Array(n * h * w);
  for (let i = 0; i < features.length; i++) features[i] = (images.data[i] as number) / 255;
  return {
    name,
    task: "classification",
    features,
    labels: Float32Array.from(labels.data),
    classes,
    nRows: n,
    nFeatures: h * w,
    featureNames: Array.from({ length: h * w }, (_, i) => `px${i}`),
    categorical: [],
    ignored: [],
    image: [h, w, 1],
  };
}

/**
 * The first `images` training images of Fashion-MNIST (all 60,000 by default) from Debian's
 * dataset-fashion-mnist files in `dir`.
 * @throws HpoError("INVALID_DATASET") saying how to install the package when the files are missing.
 */
export function loadFashionMnist(images?: number, dir = FASHION_MNIST_DIR): Dataset {
  const imageFile = join(dir, "train-images-idx3-ubyte.gz");
  const labelFile = join(dir, "train-labels-idx1-ubyte.gz");
  for (const f of [imageFile, labelFile])
    if (!existsSync(f))
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "fashion_mnist": ${f} not found on this worker; install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)`,
      );
  return imageDataset(
    "fashion_mnist",
    readIdxFile(imageFile, images),
    readIdxFile(labelFile, images),
    FASHION_MNIST_CLASSES,
    `dataset "fashion_mnist" (${dir})`,
  );
}
