raise RuntimeError("codediff imported fromdemo.sub; :from: must only read it")
