import "server-only";
import { action } from "@/lib/action";
import { ZViewCreate, ZViewDelete, ZViewUpdate } from "./schema";
import { createView, deleteView, updateView } from "./service";

// Every reader of the explorer may keep views of it: the scope is the explorer's own.
export const createViewAction = action({ name: "tool_call_view.create", scope: "tool_calls:read", schema: ZViewCreate, run: createView });
export const updateViewAction = action({ name: "tool_call_view.update", scope: "tool_calls:read", schema: ZViewUpdate, run: updateView });
export const deleteViewAction = action({ name: "tool_call_view.delete", scope: "tool_calls:read", schema: ZViewDelete, run: deleteView });
