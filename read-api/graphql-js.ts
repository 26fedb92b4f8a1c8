// graphql-js as mercurius loads it. graphql ships both CommonJS and ESM builds; mercurius (CommonJS)
// gets the former, an `import` here would get the latter, and graphql refuses schemas and errors from
// "another realm" (its instanceof checks). Requiring it keeps one instance on both sides.
import { createRequire } from 'node:module';
import type * as GraphqlJs from 'graphql';

const graphql = createRequire(import.meta.url)('graphql') as typeof GraphqlJs;

export const { GraphQLError, Kind, OperationTypeNode, getNamedType, getNullableType, isInterfaceType, isListType, isObjectType, validate } = graphql;
