/**
 * The walk over the rule's function: each node goes to the module that knows its constructs, then every reference to
 * a name the rule does not declare, and the findings become the Analysis.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import type { Analysis } from "../../Analyze.ts"
import { onCall, onCallbackArgument, onConstructor } from "./calls.ts"
import { keyOf } from "./chains.ts"
import { onAssignment, onLog } from "./configurationClaims.ts"
import * as Inspection from "./inspection.ts"
import type { RuleFunction } from "./locate.ts"
import { onDeclarator, onMember } from "./members.ts"
import { onReference } from "./references.ts"
import { onWrite } from "./sharedWrites.ts"
import { onThis } from "./thisValue.ts"

const visitor =
  (inspection: Inspection.Inspection): walk.FullAncestorWalkerCallback<unknown> => (raw, _state, ancestors, type) => {
    const node = raw as acorn.AnyNode
    const parent = ancestors[ancestors.length - 2]
    switch (node.type) {
      case "MemberExpression":
        if (keyOf(node) === "constructor") onConstructor(inspection, node)
        return onMember(inspection, node, parent)
      case "Identifier":
        // Bindings (`var x`, parameters) come through as "VariablePattern"; only references count.
        return type === "Identifier" ? onCallbackArgument(inspection, node, parent) : undefined
      case "CallExpression":
      case "NewExpression":
        onLog(inspection, node)
        return onCall(inspection, node)
      case "ThrowStatement":
        return Inspection.ok(inspection, node, "throw")
      case "ThisExpression":
        return onThis(inspection, node)
      case "ImportExpression":
        return Inspection.koNamed(inspection, node, "eval.module", "import(…)")
      case "AssignmentExpression":
        onAssignment(inspection, node)
        return onWrite(inspection, node.left)
      case "ForInStatement":
      case "ForOfStatement":
        return onWrite(inspection, node.left)
      case "UpdateExpression":
        return onWrite(inspection, node.argument)
      case "UnaryExpression":
        return node.operator === "delete" ? onWrite(inspection, node.argument) : undefined
      case "VariableDeclarator":
        return onDeclarator(inspection, node)
      default:
        return undefined
    }
  }

export const inspect = (text: string, located: RuleFunction): Analysis => {
  const inspection = Inspection.make(text, located)
  walk.fullAncestor(inspection.scopes.rule, visitor(inspection))
  for (const reference of inspection.scopes.references.values()) onReference(inspection, reference)
  return Inspection.analysisOf(inspection)
}
