extension Array {
    /// The elements in order, every `n`-th one (from the first) twice in a
    /// row: a stream with duplicates, as a meter or gateway republishes them.
    public func repeatingEvery(_ n: Int) -> [Element] {
        precondition(n > 0, "repeat every n ≥ 1 elements")
        var out: [Element] = []
        out.reserveCapacity(count + count / n + 1)
        for (i, e) in enumerated() {
            out.append(e)
            if i % n == 0 { out.append(e) }
        }
        return out
    }
}
