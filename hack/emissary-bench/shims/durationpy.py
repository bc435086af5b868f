# Stand-in for durationpy, imported by a Kubernetes client module the
# translator never calls.
