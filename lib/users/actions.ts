import "server-only";
import { action } from "@/lib/action";
import { ZUserCreate, ZUserResetPassword, ZUserSetDisabled, ZUserSetRole } from "./schema";
import { createUser, resetUserPassword, setUserDisabled, setUserRole } from "./service";

// Each mutation defined once; used by app/(console)/admin/actions.ts and by /api/v1/users.
export const createUserAction = action({ name: "user.create", scope: "users:manage", schema: ZUserCreate, run: createUser });
export const setUserRoleAction = action({ name: "user.set_role", scope: "users:manage", schema: ZUserSetRole, run: setUserRole });
export const setUserDisabledAction = action({ name: "user.set_disabled", scope: "users:manage", schema: ZUserSetDisabled, run: setUserDisabled });
export const resetUserPasswordAction = action({ name: "user.reset_password", scope: "users:manage", schema: ZUserResetPassword, run: resetUserPassword });
