import '@testing-library/jest-dom';

// jsdom has no layout, so no ResizeObserver; recharts' ResponsiveContainer
// needs one to mount. Charts then draw at their initialDimension.
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
