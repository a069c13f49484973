// Hand-rolled SVG and HTML charts (no library: the dashboard is dependency-free and works offline).

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function svg(name, attributes = {}, children = []) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  for (const child of children) element.append(child);
  return element;
}

/** An HTML element with attributes (class, text, data-*, aria-*) and children. */
export function h(name, attributes = {}, children = []) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') element.textContent = String(value);
    else if (key === 'class') element.className = String(value);
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

function titled(element, text) {
  element.append(svg('title', {}, [text]));
  return element;
}

/**
 * Columns of the on-time rate (0–100 %) per point and a line of the resolved counts.
 * `points`: [{label, rate (0–1 or null), resolved, tooltip}]
 */
export function trendChart(points, { title, rateText, countText }) {
  const width = 760;
  const height = 280;
  const margin = { top: 16, right: 48, bottom: 40, left: 48 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart trend-chart',
    role: 'img',
    'aria-label': title,
  });
  chart.append(svg('title', {}, [title]));
  const y = (rate) => margin.top + plotHeight * (1 - rate);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(
      svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: 'grid' }),
      svg('text', { x: margin.left - 6, y: y(tick) + 4, class: 'axis-label', 'text-anchor': 'end' }, [rateText(tick)]),
    );
  }
  const count = Math.max(points.length, 1);
  const slot = plotWidth / count;
  const barWidth = Math.max(1, Math.min(48, slot * 0.7));
  const maxResolved = Math.max(1, ...points.map((point) => point.resolved));
  const labelEvery = Math.ceil(count / 12);
  const line = [];
  points.forEach((point, index) => {
    const center = margin.left + slot * index + slot / 2;
    if (point.rate !== null) {
      const top = y(point.rate);
      chart.append(
        titled(
          svg('rect', {
            x: center - barWidth / 2,
            y: top,
            width: barWidth,
            height: Math.max(0, margin.top + plotHeight - top),
            class: 'bar',
            'data-index': index,
          }),
          point.tooltip,
        ),
      );
      if (count <= 16) {
        chart.append(
          svg('text', { x: center, y: top - 4, class: 'bar-label', 'text-anchor': 'middle' }, [rateText(point.rate)]),
        );
      }
    } else {
      chart.append(
        titled(
          svg('text', { x: center, y: y(0) - 4, class: 'bar-label muted', 'text-anchor': 'middle' }, ['—']),
          point.tooltip,
        ),
      );
    }
    line.push([center, margin.top + plotHeight * (1 - point.resolved / maxResolved)]);
    if (index % labelEvery === 0) {
      chart.append(
        svg('text', { x: center, y: height - margin.bottom + 18, class: 'axis-label', 'text-anchor': 'middle' }, [
          point.label,
        ]),
      );
    }
  });
  if (line.length > 0) {
    chart.append(svg('polyline', { points: line.map(([px, py]) => `${px},${py}`).join(' '), class: 'count-line' }));
    line.forEach(([px, py], index) =>
      chart.append(titled(svg('circle', { cx: px, cy: py, r: 3, class: 'count-dot' }), points[index].tooltip)),
    );
  }
  chart.append(
    svg('text', { x: width - margin.right + 6, y: margin.top + 4, class: 'axis-label count-axis' }, [
      countText(maxResolved),
    ]),
    svg('text', { x: width - margin.right + 6, y: margin.top + plotHeight + 4, class: 'axis-label count-axis' }, [
      countText(0),
    ]),
  );
  return chart;
}

/**
 * Horizontal bars of the on-time rate per row (HTML, so it reflows on small screens).
 * `rows`: [{name, rate, resolved, label, countLabel}]
 */
export function barList(rows, { emptyText }) {
  if (rows.length === 0) return h('p', { class: 'muted', text: emptyText });
  return h(
    'ul',
    { class: 'bar-list' },
    rows.map((row) => {
      const fill = h('span', { class: row.rate === null ? 'bar-fill empty' : 'bar-fill' });
      fill.style.setProperty('width', `${row.rate === null ? 0 : Math.max(0, Math.min(1, row.rate)) * 100}%`);
      return h('li', { 'aria-label': row.label }, [
        h('span', { class: 'bar-name', text: row.name, title: row.name }),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, [fill]),
        h('span', { class: 'bar-value', 'aria-hidden': 'true' }, [
          h('strong', { text: row.rateText }),
          h('span', { class: 'muted', text: ` · ${row.countLabel}` }),
        ]),
      ]);
    }),
  );
}
