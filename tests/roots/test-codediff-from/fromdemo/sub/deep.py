raise RuntimeError("codediff imported fromdemo.sub.deep")


def deep():
    return "deep"
