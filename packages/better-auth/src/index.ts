export { posternSendVerificationOTP, type PosternSendOptions } from './send.js';
export { posternOTP, type PosternOTPOptions } from './plugin.js';
export { PosternError, TEMPLATE_FOR, type OtpType, type PosternConnection } from './postern.js';
