"""fakeguard.datasets: where training and evaluation samples come from.

Readers for the public deepfake datasets in their own published layouts, the
shared-data manifests, seeded splits, and the generators of pseudo-fakes. How
a sample is decoded and cropped is not decided here: that is
:mod:`fakeguard.detectors`' single preprocessing path.
"""
