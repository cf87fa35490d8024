import type { LocaleStrings } from '../strings.js';

export const zhCN: LocaleStrings = {
  locale: 'zh-CN',
  fontFamily:
    "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Segoe UI', Arial, sans-serif",
  lineHeight: 26,
  greeting: '{user}，您好：',
  greetingAnon: '您好：',
  codeLabel: '验证码',
  expiry: '此验证码将在 {minutes} 分钟后失效。',
  noShare: '请勿将此验证码告诉任何人。{company} 绝不会向您索要验证码。',
  sentBy: '此邮件由 {company} 发送。',
  help: '如需帮助，请联系 {support}。',
  types: {
    SignIn: {
      subject: '您的 {app} 登录验证码',
      heading: '登录 {app}',
      intro: '请输入以下验证码完成登录：',
      ignore: '如果您没有尝试登录，请忽略此邮件。可能有人误输入了您的邮箱地址；没有此验证码，任何人都无法登录。',
    },
    Register: {
      subject: '验证您在 {app} 的邮箱地址',
      heading: '欢迎使用 {app}',
      intro: '请输入以下验证码，验证您的邮箱地址并完成账户注册：',
      ignore: '如果您没有注册账户，请忽略此邮件。没有此验证码，账户不会被创建。',
    },
    ForgotPassword: {
      subject: '重置您的 {app} 密码',
      heading: '重置密码',
      intro: '请输入以下验证码以设置新密码：',
      ignore: '如果您没有申请重置密码，请忽略此邮件，您的密码不会改变。',
    },
    Generic: {
      subject: '您的 {app} 验证码',
      heading: '您的验证码',
      intro: '以下是您申请的验证码：',
      ignore: '如果您没有申请此验证码，请忽略此邮件。',
    },
    OrganizationInvitation: {
      subject: '{inviter} 邀请您加入 {app} 上的“{org}”',
      subjectNoInviter: '您受邀加入 {app} 上的“{org}”',
      heading: '加入 {app} 上的“{org}”',
      intro: '{inviter} 邀请您加入 {app} 上的组织“{org}”。',
      introNoInviter: '您受邀加入 {app} 上的组织“{org}”。',
      button: '接受邀请',
      linkHint: '如果按钮无法使用，请将以下链接复制到浏览器中打开：',
      expiry: '此邀请将在{duration}后失效。',
      ignore: '如果您并未期待此邀请，请忽略此邮件。除非您接受邀请，否则不会加入任何组织。',
    },
    UserPermissionValidation: {
      subject: '确认您在 {app} 上的操作',
      heading: '确认是您本人',
      intro: '您正在对账户进行敏感操作。请输入以下验证码进行确认：',
      ignore: '如果这不是您本人的操作，请勿透露此验证码：可能有人正试图更改您的账户。请修改密码并联系 {company}。',
    },
    BindNewIdentifier: {
      subject: '验证您在 {app} 的新邮箱地址',
      heading: '验证新邮箱地址',
      intro: '请输入以下验证码，将此邮箱地址添加到您的 {app} 账户：',
      ignore: '如果您没有申请添加此邮箱地址，请忽略此邮件，您的账户不会有任何变化。',
    },
    MfaVerification: {
      subject: '您的 {app} 两步验证码',
      heading: '两步验证',
      intro: '请输入以下验证码，完成登录 {app}：',
      ignore: '如果您当前没有在登录，可能有人已知道您的密码。请勿透露此验证码，并立即修改密码。',
    },
    BindMfa: {
      subject: '为 {app} 设置两步验证',
      heading: '设置邮箱两步验证',
      intro: '请输入以下验证码，将此邮箱地址用于 {app} 的两步验证：',
      ignore: '如果您没有申请此设置，请忽略此邮件，您的登录设置不会改变。',
    },
  },
  sample: {
    userName: '张伟',
    inviterName: '李娜',
    organizationName: '北风贸易',
    applicationName: 'Acme Cloud',
    companyName: 'Acme 科技有限公司',
    companyInformation: 'Acme 科技有限公司，上海市浦东新区世纪大道 100 号',
  },
};
