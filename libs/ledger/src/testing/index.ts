export { exampleDecisionBody } from './decision-body';
