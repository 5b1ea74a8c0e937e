// Chart.js (the page loads its standalone build first, as window.Chart) set up for a dark wall screen:
// no animation (weak TV browsers, and a refresh should not flicker), text that grows with the page's
// root font size, colours from the style sheet's custom properties.

import { formatNumber, formatTick } from './format.js';

const { Chart } = window;
const root = document.documentElement;

export function cssColor(name) {
  return getComputedStyle(root).getPropertyValue(`--${name}`).trim();
}

// #rrggbb with an alpha: the fill under a line.
function translucent(hex, alpha) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export function setUpCharts() {
  if (!Chart) throw new Error('The chart library (assets/vendor/chart.umd.min.js) did not load: reload the page.');
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.color = cssColor('muted');
  Chart.defaults.borderColor = cssColor('grid');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  scaleToPage();
  let pending;
  addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      scaleToPage();
      for (const chart of Object.values(Chart.instances)) chart.update();
    }, 150);
  });
}

// Text, lines and bars grow with the page's text, which the style sheet sizes by the screen's width
// (14 px on a laptop): chart text at 80 % of it, lines 2 px on a laptop, 5 px on a 4K wall screen.
function scaleToPage() {
  const text = parseFloat(getComputedStyle(root).fontSize);
  Chart.defaults.font.size = Math.round(text * 0.8);
  Chart.defaults.elements.line.borderWidth = Math.max(2, text / 7);
  Chart.defaults.datasets.bar.maxBarThickness = text * 2.6;
}

// Lines have no dots, except a value with no neighbour (a session length between days without any, a
// range of one day): a line needs two points, so it would not show at all.
function loneValueRadius({ dataset, dataIndex }) {
  const value = (i) => dataset.data[i] ?? null;
  const lone = value(dataIndex) !== null && value(dataIndex - 1) === null && value(dataIndex + 1) === null;
  return lone ? Chart.defaults.elements.line.borderWidth * 2 : 0;
}

// A line chart of one or more series over the buckets; `format` writes a value in the tooltips. Several
// series have a legend unless `legend: false` (the card names them above, in their colours, already).
export function lineChart(canvas, series, { format = formatNumber, tick = formatTick, legend = series.length > 1 } = {}) {
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: [],
      datasets: series.map(({ label, color, fill }) => ({
        label,
        data: [],
        borderColor: color,
        backgroundColor: translucent(color, 0.16),
        fill: fill ? 'origin' : false,
        pointRadius: loneValueRadius,
        pointHitRadius: 10,
        cubicInterpolationMode: 'monotone',
      })),
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { display: legend, position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 3 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.parsed.y)}` } },
      },
      scales: {
        x: { grid: { display: false }, ticks: { maxTicksLimit: 7, maxRotation: 0 } },
        y: { beginAtZero: true, ticks: { maxTicksLimit: 5, callback: tick } },
      },
    },
  });
}

export function showSeries(chart, labels, series) {
  chart.data.labels = labels;
  series.forEach((values, i) => (chart.data.datasets[i].data = values));
  chart.update();
}

// Each bar's value written at its end: a wall screen has no mouse to hover with.
const barValues = {
  id: 'barValues',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = cssColor('text');
    ctx.font = `${Chart.defaults.font.size}px ${Chart.defaults.font.family}`;
    ctx.textBaseline = 'middle';
    const values = chart.data.datasets[0].data;
    const gap = Chart.defaults.font.size * 0.5;
    chart.getDatasetMeta(0).data.forEach((bar, i) => ctx.fillText(formatNumber(values[i]), bar.x + gap, bar.y));
    ctx.restore();
  },
};

// Horizontal bars, one per label, largest first as the API sends them; `label` names the values.
export function barChart(canvas, color, label) {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label, data: [], backgroundColor: color, borderRadius: 3 }] },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${label}: ${formatNumber(item.parsed.x)}` } } },
      scales: {
        // room on the right for the longest bar's value
        x: { beginAtZero: true, grace: '18%', ticks: { maxTicksLimit: 4, callback: formatTick } },
        y: { grid: { display: false }, ticks: { color: cssColor('text'), autoSkip: false } },
      },
    },
    plugins: [barValues],
  });
}
