// What one GraphQL request may ask for. Checked before anything executes (validation rules, cached with
// the parsed query), so an abusive query costs a parse and nothing else. Each refusal names its limit
// in extensions.code.
import type {
  ASTVisitor, FieldNode, FragmentDefinitionNode, GraphQLNamedType, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule,
} from 'graphql';
import { GraphQLError, Kind, OperationTypeNode, getNamedType, getNullableType, isInterfaceType, isListType, isObjectType } from './graphql-js.ts';
import { ValidationError } from '../domain/shared/errors.ts';

export interface QueryLimits {
  /** Deepest field nesting an operation may have. */
  readonly maxDepth: number;
  /** Aliases in one document: each alias is another execution of its field. */
  readonly maxAliases: number;
  /** Estimated rows and fields an operation may touch (see costOf). */
  readonly maxCost: number;
  /** Largest `first` a page may ask for. */
  readonly maxPageSize: number;
  /** Whether __schema / __type are answered (GraphiQL needs them). */
  readonly introspection: boolean;
  /** Subscriptions one websocket connection may hold open at once. */
  readonly maxSubscriptionsPerConnection: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 6, maxAliases: 30, maxCost: 50_000, maxPageSize: 1_000, introspection: false, maxSubscriptionsPerConnection: 100 };

export const LIMIT_CODES = {
  depth: 'GRAPHQL.DEPTH_LIMIT',
  aliases: 'GRAPHQL.TOO_MANY_ALIASES',
  cost: 'GRAPHQL.COST_LIMIT',
  pageSize: 'GRAPHQL.PAGE_TOO_LARGE',
  introspection: 'GRAPHQL.INTROSPECTION_DISABLED',
  subscriptions: 'GRAPHQL.TOO_MANY_SUBSCRIPTIONS',
} as const;

/** Rows a list field without `first` is assumed to return: the desk has few instruments and accounts, an order a handful of fills. */
const LIST_SIZES: Record<string, number> = {
  'Query.instruments': 10, 'Query.accounts': 20, 'Account.positions': 5, 'Order.fills': 5, 'RiskDecision.checks': 20, 'Query.controlStates': 20, 'Query.projections': 15,
};
const DEFAULT_LIST_SIZE = 10;

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

function firstArgument(field: FieldNode, limits: QueryLimits): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === 'first');
  if (!arg) return undefined;
  return arg.value.kind === Kind.INT ? Number(arg.value.value) : limits.maxPageSize;
}

/** Fields of a selection set, fragments expanded once per path (a cycle counts as nothing). */
function fieldsOf(set: SelectionSetNode | undefined, fragments: Fragments, seen: ReadonlySet<string> = new Set()): Array<{ field: FieldNode; seen: ReadonlySet<string> }> {
  const fields: Array<{ field: FieldNode; seen: ReadonlySet<string> }> = [];
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) fields.push({ field: selection, seen });
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...fieldsOf(fragment.selectionSet, fragments, new Set([...seen, selection.name.value])));
    }
  }
  return fields;
}

/** Introspection is GraphiQL's business and bounded by the schema; when allowed it does not count. */
const counted = (field: FieldNode, limits: QueryLimits) => !(limits.introspection && field.name.value.startsWith('__'));

export function depthOf(set: SelectionSetNode | undefined, fragments: Fragments, limits: QueryLimits, seen: ReadonlySet<string> = new Set()): number {
  let deepest = 0;
  for (const { field, seen: path } of fieldsOf(set, fragments, seen)) {
    if (counted(field, limits)) deepest = Math.max(deepest, 1 + (field.selectionSet ? depthOf(field.selectionSet, fragments, limits, path) : 0));
  }
  return deepest;
}

type Parent = GraphQLNamedType | undefined;

/** Rows one field may return: its page size, or an assumed list size, or one. */
function rowsOf(field: FieldNode, parent: Parent, limits: QueryLimits): { rows: number; type: Parent } {
  const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[field.name.value] : undefined;
  if (!def) return { rows: 1, type: undefined };
  const type = getNamedType(def.type);
  const first = firstArgument(field, limits) ?? (def.args.find((a) => a.name === 'first')?.defaultValue as number | undefined);
  if (first !== undefined) return { rows: first, type };
  if (!isListType(getNullableType(def.type))) return { rows: 1, type };
  if (parent!.name.endsWith('Page') && field.name.value === 'nodes') return { rows: 1, type }; // the page field counted them
  return { rows: LIST_SIZES[`${parent!.name}.${field.name.value}`] ?? DEFAULT_LIST_SIZE, type };
}

/** One per field, times the rows its parents may return: a page of orders with their fills costs first × (fields + fills × fields). */
export function costOf(set: SelectionSetNode | undefined, parent: Parent, fragments: Fragments, limits: QueryLimits, seen: ReadonlySet<string> = new Set()): number {
  let cost = 0;
  for (const { field, seen: path } of fieldsOf(set, fragments, seen)) {
    if (!counted(field, limits)) continue;
    const { rows, type } = rowsOf(field, parent, limits);
    cost += 1 + (field.selectionSet ? rows * costOf(field.selectionSet, type, fragments, limits, path) : 0);
  }
  return cost;
}

const refuse = (code: string, message: string, node?: FieldNode | OperationDefinitionNode) => new GraphQLError(message, { nodes: node ? [node] : undefined, extensions: { code } });

/** The validation rule that enforces every limit on a document. */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    const schema = context.getSchema();
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias && ++aliases === limits.maxAliases + 1) context.reportError(refuse(LIMIT_CODES.aliases, `more than ${limits.maxAliases} aliases in one request`, node));
        const first = firstArgument(node, limits);
        if (first !== undefined && node.arguments?.some((a) => a.name.value === 'first' && a.value.kind === Kind.INT) && first > limits.maxPageSize) {
          context.reportError(refuse(LIMIT_CODES.pageSize, `first: ${first} is larger than the maximum page of ${limits.maxPageSize}`, node));
        }
        if (!limits.introspection && (node.name.value === '__schema' || node.name.value === '__type')) {
          context.reportError(refuse(LIMIT_CODES.introspection, 'introspection is disabled on this server', node));
        }
      },
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, limits);
        if (depth > limits.maxDepth) context.reportError(refuse(LIMIT_CODES.depth, `query depth ${depth} exceeds the limit of ${limits.maxDepth}`, node));
        const root = node.operation === OperationTypeNode.QUERY ? schema.getQueryType() : node.operation === OperationTypeNode.SUBSCRIPTION ? schema.getSubscriptionType() : schema.getMutationType();
        const cost = costOf(node.selectionSet, root ?? undefined, fragments, limits);
        if (cost > limits.maxCost) context.reportError(refuse(LIMIT_CODES.cost, `query cost ${cost} exceeds the limit of ${limits.maxCost}`, node));
      },
    };
  };
}

/** The page size a resolver uses; variables escape the validation rule, so resolvers check again. */
export function pageSize(first: number | null | undefined, fallback: number, limits: QueryLimits): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1) throw new ValidationError('GRAPHQL.BAD_PAGE_SIZE', `first must be a whole number from 1, got ${size}`);
  if (size > limits.maxPageSize) throw new ValidationError(LIMIT_CODES.pageSize, `first: ${size} is larger than the maximum page of ${limits.maxPageSize}`, { maxPageSize: limits.maxPageSize });
  return size;
}
