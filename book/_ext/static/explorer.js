/* Kernel-free explorers of book/explore.md.
 *
 * The data (book/data/explorer_*.json, written by tools/make_explorer_data.py) are served
 * as scripts that set window.CAVITY_EXPLORER.<name> (book/_ext/cavity_book.py wraps them),
 * so the page works from a file:// URL, offline. Curves are min-max envelopes per time bin,
 * quantised to 16 bits: decode() turns them back into numbers. Plotting is plotly.js,
 * vendored under book/_vendor/plotly (no CDN).
 */
(function () {
  "use strict";

  const PHASE_COLORS = ["#56B4E9", "#E69F00", "#D55E00"];  // I+1, II+1, III+1 (cavity_bcs.plotting)
  const UNSURE = "#BBBBBB";
  const BAND = {coherence: "#0072B2", n_photon: "#D55E00"};
  const CONFIG = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage", "sendDataToCloud"]};

  function decode(text, scale) {
    const bytes = atob(text);
    const out = new Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) {
      out[i] = (bytes.charCodeAt(2 * i) | (bytes.charCodeAt(2 * i + 1) << 8)) / 65535 * scale;
    }
    return out;
  }

  function band(t, lo, hi, color) {
    // the lower edge, then the upper edge filled down to it: the range the curve sweeps in each bin
    return [
      {x: t, y: lo, mode: "lines", line: {color: color, width: 1}, hoverinfo: "skip", name: "min"},
      {x: t, y: hi, mode: "lines", line: {color: color, width: 1}, fill: "tonexty", fillcolor: color + "66",
       name: "max", hovertemplate: "t = %{x:.1f}<br>max %{y:.4f}<extra></extra>"},
    ];
  }

  function layout(ytitle, extra) {
    return Object.assign({
      height: 270, margin: {l: 64, r: 16, t: 8, b: 46}, showlegend: false,
      xaxis: {title: {text: "time t [1/χN]"}}, yaxis: {title: {text: ytitle}, rangemode: "tozero"},
    }, extra || {});
  }

  function nearest(values, target) {
    let best = 0;
    values.forEach((v, i) => { if (Math.abs(v - target) < Math.abs(values[best] - target)) best = i; });
    return best;
  }

  function slider(id, values, start, format) {
    // a range input over the indices of a grid axis; its <output> shows the value
    const input = document.getElementById(id);
    const output = document.getElementById(id + "-value");
    input.min = 0;
    input.max = values.length - 1;
    input.step = 1;
    input.value = nearest(values, start);
    const show = () => { output.textContent = format(values[+input.value]); };
    input.addEventListener("input", show);
    show();
    return input;
  }

  const fmt = (v) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(2));

  function fig1() {
    const d = (window.CAVITY_EXPLORER || {}).explorer_fig1;
    const root = document.getElementById("fig1-explorer");
    if (!d || !root || !window.Plotly) return;
    const p = d.parameters, t = d.bins.centres;
    const dc = slider("fig1-delta_c", p.delta_c, 6.0, fmt);
    const w = slider("fig1-W", p.W, 8.0, fmt);
    const k = slider("fig1-kappa", p.kappa, 0.0, (v) => v.toFixed(2));
    function update() {
      const i = (+dc.value * p.W.length + +w.value) * p.kappa.length + +k.value;
      for (const name of ["coherence", "n_photon"]) {
        const obs = d.observables[name], s = d.series[name];
        const traces = band(t, decode(s.min[i], obs.scale), decode(s.max[i], obs.scale), BAND[name]);
        Plotly.react("fig1-" + name, traces, layout(obs.label), CONFIG);
      }
      root.dataset.shown = [p.delta_c[+dc.value], p.W[+w.value], p.kappa[+k.value]].join(",");
    }
    [dc, w, k].forEach((s) => s.addEventListener("input", update));
    update();
  }

  function phases() {
    const d = (window.CAVITY_EXPLORER || {}).explorer_phases;
    const root = document.getElementById("phase-explorer");
    if (!d || !root || !window.Plotly) return;
    const p = d.parameters, t = d.bins.centres;
    const nx = p.map_delta_c.length, ny = p.map_W.length;
    const z = [];  // plotly wants rows along y (W)
    for (let j = 0; j < ny; j++) {
      const row = [];
      for (let i = 0; i < nx; i++) row.push(d.map_phase_index[i * ny + j]);
      z.push(row);
    }
    const names = d.phase_names;
    const text = z.map((row) => row.map((v) => (v < 0 ? "unsure" : names[v])));
    // four discrete colours for -1 (unsure), 0, 1, 2
    const colors = [UNSURE].concat(PHASE_COLORS);
    const scale = [];
    colors.forEach((c, n) => { scale.push([n / 4, c], [(n + 1) / 4, c]); });
    const heat = {type: "heatmap", x: p.map_delta_c, y: p.map_W, z: z, text: text, zmin: -1.5, zmax: 2.5,
                  colorscale: scale, showscale: false,
                  hovertemplate: "Δc = %{x:.3g}, W = %{y:.2f}<br>phase %{text}<extra></extra>"};
    const dc = slider("phase-delta_c", p.delta_c, 6.0, fmt);
    const w = slider("phase-W", p.W, 4.0, fmt);
    const label = document.getElementById("phase-name");
    function update() {
      const i = +dc.value * p.W.length + +w.value;
      const x = p.delta_c[+dc.value], y = p.W[+w.value], phase = d.phases[i];
      const marker = {x: [x], y: [y], mode: "markers", hoverinfo: "skip",
                      marker: {symbol: "circle-open", size: 14, color: "#000000", line: {width: 3}}};
      Plotly.react("phase-map", [heat, marker], {
        height: 330, margin: {l: 64, r: 16, t: 8, b: 46}, showlegend: false,
        xaxis: {type: "log", title: {text: "cavity detuning Δc [χN]"}}, yaxis: {title: {text: "band width W [χN]"}},
      }, CONFIG);
      const s = d.series.coherence, colour = PHASE_COLORS[names.indexOf(phase)] || UNSURE;
      Plotly.react("phase-trajectory", band(t, decode(s.min[i], 1.0), decode(s.max[i], 1.0), colour),
                   layout(d.observables.coherence.label), CONFIG);
      label.textContent = phase;
      root.dataset.shown = [x, y].join(",");
    }
    [dc, w].forEach((s) => s.addEventListener("input", update));
    update();
    // a click on the map picks the nearest point of the trajectory grid
    document.getElementById("phase-map").on("plotly_click", (event) => {
      const pt = event.points[0];
      dc.value = nearest(p.delta_c.map(Math.log), Math.log(pt.x));
      w.value = nearest(p.W, pt.y);
      [dc, w].forEach((s) => s.dispatchEvent(new Event("input")));
    });
  }

  function parameters() {
    // the settings quoted in the prose come from the data files, never retyped
    document.querySelectorAll(".explorer-param").forEach((el) => {
      const d = (window.CAVITY_EXPLORER || {})[el.dataset.explorer];
      if (!d) return;
      const v = el.dataset.param ? d.parameters[el.dataset.param] : d.bins[el.dataset.bins];
      el.textContent = String(v);
    });
  }

  function start() { parameters(); fig1(); phases(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
