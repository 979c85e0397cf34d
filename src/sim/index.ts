/**
 * The simulator, public API: `import { Simulation, runScenario } from 'phantom-cluster/sim'`.
 * Many agents in one process over a simulated network in virtual time; the same protocol code
 * as production.
 */
export { Simulation, simulatedAddress, SIM_EPOCH_MS, type SimulationOptions, type TraceEntry, type ResumeOrder } from './simulation.js';
export { runScenario, resolveNodes, type ScenarioSpec, type ScenarioResult, type Step, type NodeSet } from './scenario.js';
export type { Report, Detection, FalsePositive } from './measures.js';
export type { LinkSettings } from './network.js';
export type { NodeSecurity } from '../agent/node.js';
export { parseDuration } from './duration.js';
export { churn, type ChurnOptions, type ChurnResult, type Departure } from './churn.js';
export { formatReport } from './report.js';
export { Recorder, type RecorderOptions, type SimSeries, type NewsCurve, type NewsKind, type LoadSample } from './recorder.js';
export { renderChartSvg, renderChartHtml, renderChartFor, chartFormatOf } from './charts/index.js';
