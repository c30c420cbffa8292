// tfjs-core's CommonJS bundle registers no gradients; tfjs-layers' bundle registers all of them
// (into the global registry), which the custom training step needs. Imported for that side effect.
import "@tensorflow/tfjs-layers";
