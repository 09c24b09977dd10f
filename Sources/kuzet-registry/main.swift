print("kuzet-registry: not yet wired")
