import "server-only";
import { action } from "@/lib/action";
import { ZGroupCreate, ZGroupId, ZGroupMember, ZGroupUpdate, ZIdentityAdd, ZIdentityRemove, ZPersonCreate, ZPersonId, ZPersonUpdate } from "./schema";
import { addIdentity, addMember, createGroup, createPerson, deleteGroup, disablePerson, enablePerson, removeIdentity, removeMember, updateGroup, updatePerson } from "./service";

// The directory is registry data: admins and security leads edit it (registry:write).
const W = "registry:write" as const;
export const createPersonAction = action({ name: "person.create", scope: W, schema: ZPersonCreate, run: createPerson });
export const updatePersonAction = action({ name: "person.update", scope: W, schema: ZPersonUpdate, run: updatePerson });
export const disablePersonAction = action({ name: "person.disable", scope: W, schema: ZPersonId, run: disablePerson });
export const enablePersonAction = action({ name: "person.enable", scope: W, schema: ZPersonId, run: enablePerson });
export const addIdentityAction = action({ name: "person.identity_add", targetType: "person", scope: W, schema: ZIdentityAdd, run: addIdentity });
export const removeIdentityAction = action({ name: "person.identity_remove", targetType: "person", scope: W, schema: ZIdentityRemove, run: removeIdentity });
export const createGroupAction = action({ name: "group.create", targetType: "person_group", scope: W, schema: ZGroupCreate, run: createGroup });
export const updateGroupAction = action({ name: "group.update", targetType: "person_group", scope: W, schema: ZGroupUpdate, run: updateGroup });
export const deleteGroupAction = action({ name: "group.delete", targetType: "person_group", scope: W, schema: ZGroupId, run: deleteGroup });
export const addMemberAction = action({ name: "group.member_add", targetType: "person_group", scope: W, schema: ZGroupMember, run: addMember });
export const removeMemberAction = action({ name: "group.member_remove", targetType: "person_group", scope: W, schema: ZGroupMember, run: removeMember });
