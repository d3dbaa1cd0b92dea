"use server";
import { serverAction } from "@/lib/action";
import {
  addIdentityAction,
  addMemberAction,
  createGroupAction,
  createPersonAction,
  deleteGroupAction,
  disablePersonAction,
  enablePersonAction,
  removeIdentityAction,
  removeMemberAction,
  updatePersonAction,
} from "@/lib/people/actions";

// Public endpoints: each runs the shared definition (session → scope → zod → service with its audit
// row) on the server, exactly like /api/v1/people and /api/v1/groups.
export const createPerson = serverAction(createPersonAction, { revalidate: "/people" });
export const updatePerson = serverAction(updatePersonAction, { revalidate: "/people" });
export const disablePerson = serverAction(disablePersonAction, { revalidate: "/people" });
export const enablePerson = serverAction(enablePersonAction, { revalidate: "/people" });
export const addIdentity = serverAction(addIdentityAction, { revalidate: "/people" });
export const removeIdentity = serverAction(removeIdentityAction, { revalidate: "/people" });
export const createGroup = serverAction(createGroupAction, { revalidate: "/people/groups" });
export const deleteGroup = serverAction(deleteGroupAction, { revalidate: "/people/groups" });
export const addMember = serverAction(addMemberAction, { revalidate: "/people" });
export const removeMember = serverAction(removeMemberAction, { revalidate: "/people" });
