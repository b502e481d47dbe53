"""A transformer prior over programs: vocabulary, recognition model, type-constrained decoding, training."""
