import KlasterCore

/// Inline SVG charts of the report. Every data shape carries its number in a
/// `data-value` attribute and a `<title>` (a tooltip in the browser), so a
/// test can check the charts against the data.
enum ReportCharts {
    static let plantPalette = ["#2563eb", "#0f9d8a", "#d97706", "#7c3aed", "#db2777", "#475569"]

    static func statusColor(_ s: TargetProgress.Status) -> String {
        switch s {
        case .onTrack: "#15803d"
        case .atRisk: "#d97706"
        case .offTrack: "#dc2626"
        case .noData: "#64748b"
        }
    }

    /// Cumulative emissions this year against the target's allowance pathway.
    static func targetPanel(_ p: ReportModel.TargetPanel, year: Int, now: EpochMillis) -> String {
        let w = 560.0, h = 250.0, left = 58.0, right = 16.0, top = 14.0, bottom = 30.0
        let yearRange = CalendarYear.interval(year)
        let x0 = Double(yearRange.lowerBound), x1 = Double(yearRange.upperBound)
        let prog = p.progress
        let allowedYear = prog.allowedYearT ?? 0
        let yMaxData = [allowedYear, prog.projectedYearT ?? 0, p.cumulative.points.map(\.y).max() ?? 0].max() ?? 0
        let ticks = SVGText.ticks(max: Swift.max(yMaxData, 1) * 1.02)
        let yMax = ticks.last ?? 1
        func X(_ t: Double) -> Double { left + (t - x0) / (x1 - x0) * (w - left - right) }
        func Y(_ v: Double) -> Double { top + (1 - v / yMax) * (h - top - bottom) }
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" data-chart=\"target\" data-target=\"\(SVGText.escape(prog.target.name))\">"
        // Grid and y axis.
        for t in ticks {
            s += "<line class=\"grid\" x1=\"\(SVGText.coord(left))\" x2=\"\(SVGText.coord(w - right))\" y1=\"\(SVGText.coord(Y(t)))\" y2=\"\(SVGText.coord(Y(t)))\"/>"
            s += "<text class=\"axis\" x=\"\(SVGText.coord(left - 6))\" y=\"\(SVGText.coord(Y(t) + 4))\" text-anchor=\"end\">\(SVGText.short(t))</text>"
        }
        // Month ticks.
        for m in stride(from: 1, through: 12, by: 1) {
            let ms = Double(CivilDate.daysFromCivil(year: Int64(year), month: Int64(m), day: 1) * 86_400_000)
            let x = X(ms)
            s += "<line class=\"tick\" x1=\"\(SVGText.coord(x))\" x2=\"\(SVGText.coord(x))\" y1=\"\(SVGText.coord(h - bottom))\" y2=\"\(SVGText.coord(h - bottom + 4))\"/>"
            if m % 2 == 1 {
                let name = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
                s += "<text class=\"axis\" x=\"\(SVGText.coord(x + 2))\" y=\"\(SVGText.coord(h - bottom + 16))\">\(name)</text>"
            }
        }
        s += "<line class=\"baseline\" x1=\"\(SVGText.coord(left))\" x2=\"\(SVGText.coord(w - right))\" y1=\"\(SVGText.coord(Y(0)))\" y2=\"\(SVGText.coord(Y(0)))\"/>"
        // Allowance pathway: the year's allowance spread evenly over the year.
        if allowedYear > 0 {
            s += "<path class=\"pathway\" d=\"M\(SVGText.coord(X(x0))),\(SVGText.coord(Y(0))) L\(SVGText.coord(X(x1))),\(SVGText.coord(Y(allowedYear)))\">"
            s += "<title>Allowance \(year): \(SVGText.number(allowedYear)) t CO2e</title></path>"
            s += "<circle class=\"allow-end\" cx=\"\(SVGText.coord(X(x1)))\" cy=\"\(SVGText.coord(Y(allowedYear)))\" r=\"3\" data-series=\"allowed_year_t\" data-value=\"\(SVGText.raw(allowedYear))\"><title>Allowed \(year): \(SVGText.number(allowedYear)) t</title></circle>"
        }
        // Actual cumulative.
        let color = statusColor(prog.status)
        let pts = p.cumulative.points
        if let last = pts.last {
            var d = "M\(SVGText.coord(X(x0))),\(SVGText.coord(Y(0)))"
            for pt in pts { d += " L\(SVGText.coord(X(Double(pt.x)))),\(SVGText.coord(Y(pt.y)))" }
            let area = d + " L\(SVGText.coord(X(Double(last.x)))),\(SVGText.coord(Y(0))) Z"
            s += "<path class=\"actual-area\" d=\"\(area)\" fill=\"\(color)\"/>"
            s += "<path class=\"actual\" d=\"\(d)\" stroke=\"\(color)\"/>"
            if let projected = prog.projectedYearT, prog.elapsedShare < 1 {
                s += "<path class=\"projection\" d=\"M\(SVGText.coord(X(Double(last.x)))),\(SVGText.coord(Y(last.y))) L\(SVGText.coord(X(x1))),\(SVGText.coord(Y(projected)))\" stroke=\"\(color)\"/>"
                s += "<circle class=\"proj-end\" cx=\"\(SVGText.coord(X(x1)))\" cy=\"\(SVGText.coord(Y(projected)))\" r=\"3.5\" fill=\"\(color)\" data-series=\"projected_year_t\" data-value=\"\(SVGText.raw(projected))\"><title>Projected \(year): \(SVGText.number(projected)) t</title></circle>"
            }
            s += "<circle class=\"now\" cx=\"\(SVGText.coord(X(Double(last.x))))\" cy=\"\(SVGText.coord(Y(last.y)))\" r=\"4.5\" fill=\"\(color)\" data-series=\"actual_to_date_t\" data-value=\"\(SVGText.raw(last.y))\"><title>Actual to \(SVGText.day(last.x)): \(SVGText.number(last.y)) t</title></circle>"
        } else {
            s += "<text class=\"empty\" x=\"\(SVGText.coord(w / 2))\" y=\"\(SVGText.coord(h / 2))\" text-anchor=\"middle\">No emission data for \(year)</text>"
        }
        if now > yearRange.lowerBound && now < yearRange.upperBound {
            let x = X(Double(now))
            s += "<line class=\"today\" x1=\"\(SVGText.coord(x))\" x2=\"\(SVGText.coord(x))\" y1=\"\(SVGText.coord(top))\" y2=\"\(SVGText.coord(h - bottom))\"/>"
            s += "<text class=\"axis today-label\" x=\"\(SVGText.coord(x + 3))\" y=\"\(SVGText.coord(top + 9))\">today</text>"
        }
        return s + "</svg>"
    }

    /// The local date of day `i` (`2026-03-01`), or its UTC date without local dates.
    private static func label(_ d: ReportModel.DailyByPlant, _ i: Int) -> String {
        i < d.dates.count ? d.dates[i] : String(RFC3339.format(d.days[i]).prefix(10))
    }

    /// Stacked daily bars, one colour per plant.
    /// - Parameter now: Bars of the day still running are drawn lighter (a partial day).
    static func dailyStacked(_ d: ReportModel.DailyByPlant, id: String, now: EpochMillis) -> String {
        let w = 560.0, h = 230.0, left = 52.0, right = 10.0, top = 12.0, bottom = 30.0
        let n = d.days.count
        guard n > 0, !d.values.isEmpty else {
            return "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) 80\" data-chart=\"\(id)\"><text class=\"empty\" x=\"\(Int(w / 2))\" y=\"44\" text-anchor=\"middle\">No \(SVGText.escape(d.title.lowercased())) data in the last days</text></svg>"
        }
        var totals = [Double](repeating: 0, count: n)
        for v in d.values { for i in 0..<n { totals[i] += Swift.max(0, v.perDay[i]) } }
        let ticks = SVGText.ticks(max: Swift.max(totals.max() ?? 0, 1))
        let yMax = ticks.last ?? 1
        let slot = (w - left - right) / Double(n)
        let barW = Swift.max(slot * 0.72, 1)
        func Y(_ v: Double) -> Double { top + (1 - v / yMax) * (h - top - bottom) }
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" data-chart=\"\(id)\" data-unit=\"\(SVGText.escape(d.unit))\">"
        for t in ticks {
            s += "<line class=\"grid\" x1=\"\(SVGText.coord(left))\" x2=\"\(SVGText.coord(w - right))\" y1=\"\(SVGText.coord(Y(t)))\" y2=\"\(SVGText.coord(Y(t)))\"/>"
            s += "<text class=\"axis\" x=\"\(SVGText.coord(left - 6))\" y=\"\(SVGText.coord(Y(t) + 4))\" text-anchor=\"end\">\(SVGText.short(t))</text>"
        }
        var stackTop = [Double](repeating: 0, count: n)
        for (pi, v) in d.values.enumerated() {
            let color = plantPalette[pi % plantPalette.count]
            for i in 0..<n {
                let value = Swift.max(0, v.perDay[i])
                guard value > 0 else { continue }
                let y0 = Y(stackTop[i]), y1 = Y(stackTop[i] + value)
                stackTop[i] += value
                let x = left + Double(i) * slot + (slot - barW) / 2
                let partial = (i + 1 < n ? d.days[i + 1] : d.days[i] + 86_400_000) > now
                s += "<rect x=\"\(SVGText.coord(x))\" y=\"\(SVGText.coord(y1))\" width=\"\(SVGText.coord(barW))\" height=\"\(SVGText.coord(Swift.max(y0 - y1, 0.5)))\" fill=\"\(color)\"\(partial ? " opacity=\"0.45\"" : "")"
                s += " data-plant=\"\(SVGText.escape(v.plant))\" data-day=\"\(label(d, i))\" data-value=\"\(SVGText.raw(value))\">"
                s += "<title>\(SVGText.escape(v.plant)), \(SVGText.day(date: label(d, i)))\(partial ? " (so far)" : ""): \(SVGText.number(value)) \(SVGText.escape(d.unit))</title></rect>"
            }
        }
        s += "<line class=\"baseline\" x1=\"\(SVGText.coord(left))\" x2=\"\(SVGText.coord(w - right))\" y1=\"\(SVGText.coord(Y(0)))\" y2=\"\(SVGText.coord(Y(0)))\"/>"
        let labelEvery = Swift.max(1, Int((Double(n) / 7).rounded(.up)))
        for i in stride(from: 0, to: n, by: labelEvery) {
            let x = left + Double(i) * slot + slot / 2
            s += "<text class=\"axis\" x=\"\(SVGText.coord(x))\" y=\"\(SVGText.coord(h - bottom + 16))\" text-anchor=\"middle\">\(SVGText.day(date: label(d, i)))</text>"
        }
        return s + "</svg>"
    }

    /// Legend chips for the plants of a daily chart.
    static func legend(_ d: ReportModel.DailyByPlant) -> String {
        var s = "<div class=\"legend\">"
        for (pi, v) in d.values.enumerated() {
            let total = v.perDay.reduce(0, +)
            s += "<span><i style=\"background:\(plantPalette[pi % plantPalette.count])\"></i>\(SVGText.escape(v.plant)) · \(SVGText.number(total)) \(SVGText.escape(d.unit))</span>"
        }
        return s + "</div>"
    }

    /// Horizontal bars: the series that emitted most this year.
    static func topSeries(_ top: [ReportModel.TopSeries]) -> String {
        let longest = top.map(\.key.count).max() ?? 10
        let w = 560.0, rowH = 26.0, right = 70.0
        let labelW = Swift.min(330.0, Double(longest) * 6.9 + 14)
        guard !top.isEmpty else {
            return "<svg class=\"chart\" viewBox=\"0 0 560 60\" data-chart=\"top\"><text class=\"empty\" x=\"280\" y=\"34\" text-anchor=\"middle\">No emitting series this year</text></svg>"
        }
        let maxV = top.map(\.co2eT).max() ?? 1
        let h = rowH * Double(top.count) + 6
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" data-chart=\"top\">"
        for (i, t) in top.enumerated() {
            let y = 3 + Double(i) * rowH
            let bw = maxV > 0 ? Swift.max((w - labelW - right) * t.co2eT / maxV, 1) : 1
            let color = t.scope == .one ? "#334155" : "#0ea5e9"
            s += "<text class=\"label\" x=\"\(SVGText.coord(labelW - 8))\" y=\"\(SVGText.coord(y + rowH / 2 + 4))\" text-anchor=\"end\">\(SVGText.escape(t.key))</text>"
            s += "<rect x=\"\(SVGText.coord(labelW))\" y=\"\(SVGText.coord(y + 4))\" width=\"\(SVGText.coord(bw))\" height=\"\(SVGText.coord(rowH - 8))\" rx=\"3\" fill=\"\(color)\""
            s += " data-series=\"\(SVGText.escape(t.key))\" data-value=\"\(SVGText.raw(t.co2eT))\"><title>\(SVGText.escape(t.key)): \(SVGText.number(t.co2eT, digits: 1)) t CO2e (scope \(t.scope.rawValue); \(SVGText.escape(t.factorSource)))</title></rect>"
            s += "<text class=\"value\" x=\"\(SVGText.coord(labelW + bw + 6))\" y=\"\(SVGText.coord(y + rowH / 2 + 4))\">\(SVGText.number(t.co2eT, digits: t.co2eT < 100 ? 1 : 0)) t</text>"
        }
        return s + "</svg>"
    }
}
